"""WooCommerce end to end, over real HTTP between Reshelf and the emulated store.

connect through wc-auth → backfill → ``order.created`` webhook → a return requested from
the plugin's signed button link → received and graded → stock up exactly once (jobs run
twice, and a worker killed after the store applied the restock) → refund without a second
restock → order note and status on the store.
"""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from connectors.woocommerce import WooCommerceConnector, portal_link
from core.clock import SystemClock
from core.enums import Platform, ResolutionKind, Role
from core.models import Order, ReturnRequest, Settlement, Shop, StockMovement
from core.services import resolve_return
from sandbox.woocommerce import create_emulator
from tests.support.live import serve_wsgi
from webapp import create_app
from webapp.users import add_user
from worker import jobs
from worker.context import WorkerContext, use_context
from worker.dispatch import RQDispatcher

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
STOCK_ROUTE = "/wp-json/wc-reshelf/v1/stock"


def woo_connector(session, shop):
    return WooCommerceConnector.for_shop(session, shop)


class HangAfterRestock:
    """WSGI middleware: the store applies a restock, then the answer never leaves (armed)."""

    def __init__(self, app):
        self.app, self.armed = app, False
        self.applied, self.release = threading.Event(), threading.Event()

    def __call__(self, environ, start_response):
        body = self.app(environ, start_response)
        if self.armed and environ["PATH_INFO"] == STOCK_ROUTE:
            self.armed = False
            self.applied.set()
            self.release.wait(30)
        return body


class Browser(requests.Session):
    """A person at a browser: follows links, posts forms with their CSRF token."""

    def form(self, page_url: str, action: str, data: dict[str, str]) -> requests.Response:
        page = self.get(page_url, timeout=10)
        token = TOKEN.search(page.text)
        assert token, page.text[:500]
        return self.post(action, data={**data, "csrf_token": token.group(1)}, timeout=30)


@pytest.fixture
def world(engine, db, redis_conn, factory):
    """The store (with the plugin), Reshelf on HTTP with the RQ dispatcher, signed-in staff."""
    store_app = create_emulator(plugin_installed=True, insecure_callbacks=True)
    store = store_app.extensions["wc_emulator"]
    hang = HangAfterRestock(store_app)
    dispatcher = RQDispatcher(engine=engine, connection=redis_conn)
    context = WorkerContext(
        engine=engine, clock=SystemClock(), connector_for=woo_connector, dispatcher=dispatcher
    )
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_ENGINE": engine,
            "DISPATCHER": dispatcher,
            "ALLOW_PRIVATE_STORES": True,  # the emulated store listens on 127.0.0.1
        }
    )
    add_user(db, "owner@example.com", PASSWORD, factory.shop(), Role.OWNER)
    with serve_wsgi(hang) as store_url, serve_wsgi(app) as url, use_context(context):
        app.config["PUBLIC_URL"] = url
        staff = Browser()
        staff.form(
            f"{url}/admin/login",
            f"{url}/admin/login",
            {"email": "owner@example.com", "password": PASSWORD},
        )
        yield {
            "store": store,
            "store_url": store_url,
            "hang": hang,
            "url": url,
            "staff": staff,
            "merchant": store.store.create_api_key(),
            "dispatcher": dispatcher,
        }
    store.dispatcher.stop()


def _store_api(world):
    from woocommerce import API

    return API(world["store_url"], *world["merchant"], timeout=10)


def _connect(world, db):
    staff, url = world["staff"], world["url"]
    approve = staff.get(
        f"{url}/install/woocommerce/connect", params={"store": world["store_url"]}, timeout=10
    )
    link = re.search(r'wc-auth-approve" href="([^"]+)"', approve.text).group(1)
    assert staff.get(html.unescape(link), timeout=60).status_code == 200
    shop = db.scalars(select(Shop).where(Shop.platform == Platform.WOOCOMMERCE)).one()
    return shop  # whoever connected it owns it and now works in it


def _kill_mid_restock(world, movement_id: int) -> None:
    """Run the restock in a worker process and SIGKILL it once the store has applied it."""
    world["hang"].armed = True
    script = (
        "import sys\n"
        "from connectors.woocommerce import WooCommerceConnector\n"
        "from core.clock import SystemClock\n"
        "from core.config import get_settings\n"
        "from core.db import engine_for, session_factory\n"
        "from core.models import Shop, StockMovement\n"
        "from core.services import apply_movement\n"
        "session = session_factory(engine_for(get_settings().database_url))()\n"
        "shop = session.get(Shop, session.get(StockMovement, int(sys.argv[1])).shop_id)\n"
        "apply_movement(session, int(sys.argv[1]), WooCommerceConnector(shop), SystemClock())\n"
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", script, str(movement_id)], cwd=ROOT, env=dict(os.environ)
    )
    try:
        assert world["hang"].applied.wait(30), "the worker never reached the store"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        world["hang"].release.set()
    assert worker.returncode == -signal.SIGKILL


def test_return_from_the_plugin_link_restocks_once_and_refunds(world, db, run_jobs):
    api = _store_api(world)
    product = api.post(
        "products",
        {
            "name": "Linen shirt",
            "sku": "LINEN",
            "regular_price": "40",
            "manage_stock": True,
            "stock_quantity": 10,
        },
    ).json()
    api.post(
        "orders",
        {
            "status": "completed",
            "payment_method": "stripe",
            "billing": {"email": "old@example.com"},
            "line_items": [{"product_id": product["id"], "quantity": 1}],
        },
    )

    shop = _connect(world, db)  # wc-auth, webhooks, and the backfill job queued
    run_jobs()  # the backfill
    assert len(db.scalars(select(Order).where(Order.shop_id == shop.id)).all()) == 1

    order = api.post(
        "orders",
        {
            "status": "completed",
            "payment_method": "stripe",
            "customer_id": 0,
            "billing": {"email": "ann@example.com", "country": "FR"},
            "shipping": {"country": "FR"},
            "line_items": [{"product_id": product["id"], "quantity": 2}],
        },
    ).json()
    assert world["store"].dispatcher.drain()
    run_jobs()  # the order.created delivery, from the inbox into the mirror
    db.expire_all()
    mirrored = db.scalars(select(Order).where(Order.platform_id == str(order["id"]))).one()
    assert mirrored.lines[0].quantity == 2
    assert api.get(f"products/{product['id']}").json()["stock_quantity"] == 7

    # The shopper presses "Return an item" in My Account: the plugin's signed link.
    expires = int((datetime.now(UTC) + timedelta(days=7)).timestamp())
    link = portal_link.make_link(
        f"{world['url']}/returns/{shop.key}",
        shop.credential("portal_link_secret"),
        str(order["id"]),
        "ann@example.com",
        expires,
    )
    shopper = Browser()
    page = shopper.get(link, timeout=10)
    line_id = re.search(r'name="quantity-(\d+)"', page.text).group(1)
    shopper.form(
        page.url,
        page.url,
        {
            f"quantity-{line_id}": "2",
            f"reason-{line_id}": "too_small",
            f"resolution-{line_id}": "refund",
        },
    )
    request = db.scalars(select(ReturnRequest).where(ReturnRequest.shop_id == shop.id)).one()
    assert request.status.value == "approved"

    staff, url = world["staff"], world["url"]
    return_line = request.lines[0]
    staff.form(
        f"{url}/admin/returns/{request.id}",
        f"{url}/admin/returns/{request.id}/receive",
        {f"received-{return_line.id}": "2"},
    )
    staff.form(
        f"{url}/admin/returns/{request.id}",
        f"{url}/admin/lines/{return_line.id}/grade",
        {"grade": "new", "disposition": "restock"},
    )
    db.expire_all()
    movement = db.scalars(select(StockMovement)).one()

    _kill_mid_restock(world, movement.id)  # the store took it; Reshelf never recorded it
    assert api.get(f"products/{product['id']}").json()["stock_quantity"] == 9
    db.expire_all()
    assert movement.state.value == "pending"
    jobs.apply_movement_job(movement.id)  # what the sweeper re-enqueues, run...
    jobs.apply_movement_job(movement.id)  # ...twice
    run_jobs()
    assert api.get(f"products/{product['id']}").json()["stock_quantity"] == 9  # once only
    db.expire_all()
    assert movement.state.value == "applied"

    (settlement,) = resolve_return(
        db,
        shop_id=shop.id,
        return_id=request.id,
        actor="desk",
        clock=SystemClock(),
        dispatcher=world["dispatcher"],
    )
    run_jobs()
    db.expire_all()
    assert db.get(Settlement, settlement.id).state.value == "applied"
    refunds = api.get(f"orders/{order['id']}/refunds").json()
    assert len(refunds) == 1
    assert refunds[0]["amount"] == "80.00"
    assert api.get(f"products/{product['id']}").json()["stock_quantity"] == 9  # no 2nd restock
    store_order = api.get(f"orders/{order['id']}").json()
    notes = [n["note"] for n in api.get(f"orders/{order['id']}/notes").json()]
    for step in ("approved", "received", "graded"):
        assert notes.count(f"Reshelf return {request.rma}: {step}.") == 1
    assert store_order["status"] == "refunded"  # fully refunded, after "returned"
    assert settlement.kind == ResolutionKind.REFUND
