"""The WooCommerce webhook endpoint reads no body before it knows the shop, and caps it."""

from __future__ import annotations

import io
import json

import requests
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder, run_wsgi_app

from connectors.woocommerce import webhooks
from core.models import InboxDelivery
from tests.support.live import serve_wsgi
from webapp import create_app


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self) -> bool:
        """A stream, as far as the server can tell."""
        return True

    def readinto(self, _buffer: object) -> int:
        """Reading it is the failure this test looks for."""
        raise AssertionError("the endpoint read the body of an unknown shop's delivery")


def _app(engine, clock, dispatcher):
    return create_app(
        {"TESTING": True, "DATABASE_ENGINE": engine, "CLOCK": clock, "DISPATCHER": dispatcher}
    )


def test_an_unknown_shop_key_is_refused_before_the_body_is_read(engine, db, clock, dispatcher):
    environ = EnvironBuilder(
        path="/webhooks/woocommerce/no-such-shop",
        method="POST",
        headers=[
            ("Content-Type", "application/json"),
            ("X-WC-Webhook-Topic", "order.updated"),
            ("X-WC-Webhook-Signature", "c2lnbmF0dXJl"),
        ],
    ).get_environ()
    # What a server hands the app for a 3 MB delivery still on the wire.
    environ.update({"wsgi.input": UnreadableBody(), "CONTENT_LENGTH": str(3 * 1024 * 1024)})
    _, status, _ = run_wsgi_app(_app(engine, clock, dispatcher), environ, buffered=True)
    assert status.split()[0] in ("401", "404")


def test_a_signed_body_over_two_megabytes_is_413_and_not_stored(
    engine, db, clock, dispatcher, woo_shop
):
    payload = {"id": 7, "date_modified_gmt": "2026-01-01T00:00:00", "note": "x" * 3_000_000}
    body = json.dumps(payload).encode()
    headers = {
        "X-WC-Webhook-Topic": "order.updated",
        "X-WC-Webhook-Signature": webhooks.sign(body, woo_shop.credential("webhook_secret")),
        "Content-Type": "application/json",
    }
    app = _app(engine, clock, dispatcher)
    with serve_wsgi(app) as url:
        answer = requests.post(
            f"{url}/webhooks/woocommerce/{woo_shop.key}", data=body, headers=headers, timeout=10
        )
        # The same body without a length announced up front (chunked) is capped while read.
        chunked = requests.post(
            f"{url}/webhooks/woocommerce/{woo_shop.key}",
            data=iter([body[i : i + 65536] for i in range(0, len(body), 65536)]),
            headers=headers,
            timeout=10,
        )
    assert (answer.status_code, chunked.status_code) == (413, 413)
    db.expire_all()
    assert db.scalar(select(func.count(InboxDelivery.id))) == 0
    assert dispatcher.sent == []


def test_a_signed_body_under_the_cap_is_still_taken(engine, db, clock, dispatcher, woo_shop):
    payload = {"id": 8, "date_modified_gmt": "2026-01-01T00:00:00", "note": "x" * 1_500_000}
    body = json.dumps(payload).encode()
    client = _app(engine, clock, dispatcher).test_client()
    answer = client.post(
        f"/webhooks/woocommerce/{woo_shop.key}",
        data=body,
        headers={
            "X-WC-Webhook-Topic": "order.updated",
            "X-WC-Webhook-Signature": webhooks.sign(body, woo_shop.credential("webhook_secret")),
        },
    )
    assert answer.status_code == 200
    db.expire_all()
    assert db.scalar(select(func.count(InboxDelivery.id))) == 1
