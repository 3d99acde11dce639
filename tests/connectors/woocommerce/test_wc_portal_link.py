"""The plugin's signed link opens the shopper's order in the portal, without a lookup."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from connectors.woocommerce import portal_link
from core.services import ensure_default_policy
from tests.support.live import serve_wsgi
from webapp import create_app


@pytest.fixture
def reshelf(engine, db, clock, dispatcher):
    app = create_app(
        {"TESTING": True, "DATABASE_ENGINE": engine, "CLOCK": clock, "DISPATCHER": dispatcher}
    )
    with serve_wsgi(app) as url:
        yield url


def _link(reshelf, shop, order, now, expires_in=3600, secret=None):
    expires = int((now + timedelta(seconds=expires_in)).timestamp())
    return portal_link.make_link(
        f"{reshelf}/returns/{shop.key}",
        secret or shop.credential("portal_link_secret"),
        str(order["id"]),
        "ANN@example.com",
        expires,
    )


def test_link_opens_the_order_even_before_its_webhook(db, reshelf, woo_shop, seed, clock):
    ensure_default_policy(db, woo_shop.id, clock)
    db.commit()
    seeded = seed()  # never synced: the route reads the order from the store
    page = requests.get(_link(reshelf, woo_shop, seeded["order"], clock.now()), timeout=10)
    assert page.status_code == 200
    assert page.url.endswith(f"/returns/{woo_shop.key}/order")
    assert "Tee TEE" in page.text


def test_forged_or_expired_links_are_refused(reshelf, woo_shop, seed, clock):
    seeded = seed()
    forged = requests.get(
        _link(reshelf, woo_shop, seeded["order"], clock.now(), secret="guess"), timeout=5
    )
    expired = requests.get(
        _link(reshelf, woo_shop, seeded["order"], clock.now(), expires_in=-60), timeout=5
    )
    assert (forged.status_code, expired.status_code) == (403, 403)
