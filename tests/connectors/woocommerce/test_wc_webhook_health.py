"""A webhook WooCommerce disabled after failures is re-activated; the gap is readable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from connectors.woocommerce import install, sync
from connectors.woocommerce.connector import WooCommerceConnector
from core.clock import FrozenClock
from core.models import Order
from tests.support.live import serve_wsgi
from webapp import create_app


class Outage:
    """WSGI middleware: while ``down``, the site answers 503 like a crashed backend."""

    def __init__(self, app):
        self.app, self.down = app, False

    def __call__(self, environ, start_response):
        if self.down:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"down for maintenance"]
        return self.app(environ, start_response)


@pytest.fixture
def reshelf(engine, db, clock, dispatcher):
    app = create_app(
        {"TESTING": True, "DATABASE_ENGINE": engine, "CLOCK": clock, "DISPATCHER": dispatcher}
    )
    site = Outage(app)
    with serve_wsgi(site) as url:
        app.config["PUBLIC_URL"] = url
        yield site, url


def test_disabled_webhook_is_reactivated_and_the_gap_reconciled(
    db, reshelf, woo, woo_shop, woo_api, woo_client, seed
):
    site, url = reshelf
    seeded = seed()
    sync.sync_all(
        db,
        woo_shop,
        woo_client,
        full=True,
        clock=FrozenClock(datetime.now(UTC) - timedelta(seconds=2)),
    )
    install.subscribe(woo_shop, url)
    site.down = True
    order_id = seeded["order"]["id"]
    for attempt in range(7):  # more than five consecutive failures
        woo_api.put(f"orders/{order_id}", {"customer_note": f"call me {attempt}"})
        assert woo[0].dispatcher.drain()
    woo_api.put(f"orders/{order_id}", {"status": "cancelled"})  # never delivered
    assert woo[0].dispatcher.drain()
    statuses = {h["topic"]: h["status"] for h in woo_client.get("webhooks")}
    assert statuses["order.updated"] == "disabled"
    site.down = False

    connector = WooCommerceConnector(woo_shop, public_url=url)
    repaired = connector.check_webhooks(db)

    assert repaired == ["reactivated order.updated"]
    assert {h["status"] for h in woo_client.get("webhooks")} == {"active"}
    assert connector.check_webhooks(db) == []  # healthy now: nothing to repair
    # What the webhook never delivered, reconciliation reads back since the cursor.
    connector.sync(db, "orders", full=False, clock=FrozenClock(datetime.now(UTC)))
    order = db.scalars(select(Order).where(Order.platform_id == str(order_id))).one()
    assert order.store_status == "cancelled"
