"""WooCommerce disables a webhook after failures; the health job revives it and heals the gap.

Reshelf is down while the store changes an order more than five times: every delivery
fails, is never retried, and the store disables the webhook. The worker's scheduled
health check re-activates it and reconciles (``modified_after`` the cursor), so the
mirror catches up; the next change arrives by webhook again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from woocommerce import API

from connectors.woocommerce import WooCommerceConnector, install
from core.clock import FrozenClock, SystemClock
from core.models import Order
from sandbox.woocommerce import create_emulator
from tests.support.live import serve_wsgi
from webapp import create_app
from worker.context import WorkerContext, use_context
from worker.dispatch import RQDispatcher
from worker.scheduled import check_webhooks_job


class Outage:
    """WSGI middleware: while ``down``, Reshelf answers 503 as a crashed backend does."""

    def __init__(self, app):
        self.app, self.down = app, False

    def __call__(self, environ, start_response):
        if self.down:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"down for maintenance"]
        return self.app(environ, start_response)


class Connectors:
    """The worker's connector factory, pointing webhooks at this test's Reshelf."""

    public_url = ""

    def __call__(self, session, shop):
        return WooCommerceConnector(shop, public_url=self.public_url)


@pytest.fixture
def world(engine, db, redis_conn, clock):
    store_app = create_emulator()
    store = store_app.extensions["wc_emulator"]
    connectors = Connectors()
    dispatcher = RQDispatcher(engine=engine, connection=redis_conn)
    app = create_app({"TESTING": True, "DATABASE_ENGINE": engine, "DISPATCHER": dispatcher})
    reshelf = Outage(app)
    context = WorkerContext(
        engine=engine, clock=SystemClock(), connector_for=connectors, dispatcher=dispatcher
    )
    with serve_wsgi(store_app) as store_url, serve_wsgi(reshelf) as url, use_context(context):
        app.config["PUBLIC_URL"] = connectors.public_url = url
        yield store, store_url, reshelf, url
    store.dispatcher.stop()


def test_disabled_webhook_is_revived_and_the_gap_reconciled(world, db, run_jobs):
    store, store_url, reshelf, url = world
    keys = store.store.create_api_key()
    api = API(store_url, *keys, timeout=10)
    product = api.post(
        "products",
        {
            "name": "Cap",
            "sku": "CAP",
            "regular_price": "15",
            "manage_stock": True,
            "stock_quantity": 20,
        },
    ).json()
    order = api.post(
        "orders",
        {
            "status": "processing",
            "payment_method": "stripe",
            "billing": {"email": "lee@example.com"},
            "line_items": [{"product_id": product["id"], "quantity": 1}],
        },
    )
    order_id = order.json()["id"]
    shop = install.save_shop(db, store_url, keys[0], keys[1], SystemClock())
    install.backfill(db, shop, FrozenClock(datetime.now(UTC) - timedelta(seconds=2)))
    install.subscribe(shop, url)

    reshelf.down = True
    for attempt in range(7):  # more than five consecutive failures
        api.put(f"orders/{order_id}", {"customer_note": f"call me back ({attempt})"})
        assert store.dispatcher.drain()
    api.put(f"orders/{order_id}", {"status": "completed"})  # sent nowhere: disabled
    assert store.dispatcher.drain()
    assert {h["topic"]: h["status"] for h in api.get("webhooks").json()}[
        "order.updated"
    ] == "disabled"
    reshelf.down = False

    repaired = check_webhooks_job()
    run_jobs()  # the reconciliation the health job enqueued

    assert repaired == [f"{shop.id}:reactivated order.updated"]
    db.expire_all()
    mirrored = db.scalars(select(Order).where(Order.platform_id == str(order_id))).one()
    assert mirrored.store_status == "completed"
    api.put(f"orders/{order_id}", {"status": "on-hold"})  # webhooks flow again
    assert store.dispatcher.drain()
    run_jobs()
    db.expire_all()
    assert (
        db.scalars(select(Order).where(Order.platform_id == str(order_id))).one().store_status
        == "on-hold"
    )
