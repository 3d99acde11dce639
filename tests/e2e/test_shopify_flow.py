"""Shopify end to end, over real HTTP between Reshelf and the Shopify emulator.

install from the app home (token exchange) → backfill job → ``orders/create`` webhook →
a return requested in the portal and created in Shopify → received and graded → stock up
by exactly the restocked units at the right location (jobs run twice, and a worker
SIGKILLed after Shopify applied the restock) → refund processed → Shopify return closed.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from shopify_app import ShopifyApp
from sqlalchemy import select

from connectors.shopify.client import ENV_VAR
from connectors.shopify.connector import ShopifyConnector
from core.clock import SystemClock
from core.config import get_settings
from core.enums import Disposition, Grade, LedgerState, ReturnStatus
from core.models import Location, Order, ReturnRequest, Settlement, Shop, StockMovement
from core.services import (
    close_return,
    grade_line,
    mark_in_transit,
    receive_return,
    resolve_return,
)
from sandbox.shopify import create_emulator, emulator_client
from sandbox.shopify.reasons import REASON_DEFINITIONS
from tests.support.live import serve_wsgi
from webapp import create_app
from worker import jobs
from worker.context import WorkerContext, use_context
from worker.dispatch import RQDispatcher

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SYS = SystemClock()


class HangAfterDispose:
    """WSGI middleware: Shopify applies a restock, then its answer never leaves (when armed)."""

    def __init__(self, app):
        self.app, self.armed = app, False
        self.applied, self.release = threading.Event(), threading.Event()

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        answer = self.app(environ, start_response)
        if self.armed and b"reverseFulfillmentOrderDispose" in body:
            self.armed = False
            self.applied.set()
            self.release.wait(30)
        return answer


@pytest.fixture
def world(engine, db, redis_conn, monkeypatch):
    """Shopify (emulated) and Reshelf (web app, RQ dispatcher, worker context) on HTTP."""
    urls: dict[str, Any] = {}

    def connector_for(session, shop):
        return ShopifyConnector(shop, http_client=urls["client"], app=urls["app"])

    dispatcher = RQDispatcher(engine=engine, connection=redis_conn)
    reshelf_app = create_app({"TESTING": True, "DATABASE_ENGINE": engine, "DISPATCHER": dispatcher})
    with serve_wsgi(reshelf_app) as reshelf_url:
        shopify_app = create_emulator(
            webhook_url=f"{reshelf_url}/webhooks/shopify", time_scale=0.001
        )
        emulator = shopify_app.extensions["shopify_emulator"]
        hang = HangAfterDispose(shopify_app)
        with serve_wsgi(hang) as shopify_url:
            urls["client"] = emulator_client(shopify_url)
            urls["app"] = ShopifyApp(emulator.app.client_id, emulator.app.client_secret)
            monkeypatch.setenv("SHOPIFY_API_KEY", emulator.app.client_id)
            monkeypatch.setenv("SHOPIFY_API_SECRET", emulator.app.client_secret)
            monkeypatch.setenv(ENV_VAR, shopify_url)
            get_settings.cache_clear()
            context = WorkerContext(
                engine=engine, clock=SYS, connector_for=connector_for, dispatcher=dispatcher
            )
            with use_context(context):
                yield {
                    "emulator": emulator,
                    "seeder": shopify_app.extensions["shopify_seeder"],
                    "url": reshelf_url,
                    "hang": hang,
                    "dispatcher": dispatcher,
                }
            urls["client"].close()
        emulator.close()
    get_settings.cache_clear()


def _deliver(world, run_jobs):
    """Let Shopify's webhooks arrive, then let the worker process the inbox."""
    assert world["emulator"].webhooks.drain(timeout=20)
    run_jobs(timeout=60)


def _portal_return(world, shop, order_name, email, line_count):
    browser, base = requests.Session(), f"{world['url']}/returns/{shop.key}"
    page = browser.get(f"{base}/", timeout=10)
    token = TOKEN.search(page.text).group(1)
    browser.post(
        f"{base}/",
        data={"number": order_name.lstrip("#"), "email": email, "csrf_token": token},
        timeout=10,
    )
    page = browser.get(f"{base}/order", timeout=10)
    ids = re.findall(r'name="quantity-(\d+)"', page.text)
    assert len(ids) == line_count, page.text[:500]
    form = {"csrf_token": TOKEN.search(page.text).group(1)}
    for line_id in ids:
        form.update(
            {
                f"quantity-{line_id}": "2",
                f"reason-{line_id}": "too_small",
                f"resolution-{line_id}": "refund",
            }
        )
    assert browser.post(f"{base}/order", data=form, timeout=30).status_code == 200


def _kill_mid_restock(world, movement_id):
    """Run the restock in a worker process; SIGKILL it once Shopify has applied it."""
    world["hang"].armed = True
    script = (
        "import sys\n"
        "from connectors.shopify.connector import ShopifyConnector\n"
        "from core.clock import SystemClock\n"
        "from core.config import get_settings\n"
        "from core.db import engine_for, session_factory\n"
        "from core.models import Shop, StockMovement\n"
        "from core.services import apply_movement\n"
        "session = session_factory(engine_for(get_settings().database_url))()\n"
        "shop = session.get(Shop, session.get(StockMovement, int(sys.argv[1])).shop_id)\n"
        "apply_movement(session, int(sys.argv[1]), ShopifyConnector(shop), SystemClock())\n"
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", script, str(movement_id)], cwd=ROOT, env=dict(os.environ)
    )
    try:
        assert world["hang"].applied.wait(30), "the worker never reached Shopify"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        world["hang"].release.set()
    assert worker.returncode == -signal.SIGKILL


def test_install_to_closed_return_restocks_and_refunds_exactly_once(world, db, run_jobs):
    seeder, emulator = world["seeder"], world["emulator"]
    store = seeder.shop("acme")
    store.installed = False  # no webhooks until the merchant installs the app
    warehouse = seeder.location(store, "Back room")  # restocks must land at the chosen one
    linen = {"sku": "LINEN", "price": "40.00", "stock": 10}
    (shirt,) = seeder.product(store, "Linen shirt", [linen])
    ann = seeder.customer(store, "ann@example.com", "Ann")

    # Install from the embedded app home; the backfill job mirrors the shop.
    answer = httpx.get(
        f"{world['url']}/shopify", params={"shop": store.domain, "id_token": seeder.id_token(store)}
    )
    assert answer.status_code == 200, answer.text
    _deliver(world, run_jobs)
    shop = db.scalars(select(Shop)).one()
    assert shop.credential("refresh_token")

    # A new order arrives by webhook and lands in the mirror.
    placed = seeder.order(store, ann, [(shirt, 2)])
    _deliver(world, run_jobs)
    db.expire_all()
    order = db.scalars(
        select(Order).where(Order.platform_id == f"gid://shopify/Order/{placed.id}")
    ).one()
    assert order.lines[0].quantity == 2
    assert seeder.stock(store, shirt) == 8

    # The shopper asks for the return in the portal; Reshelf creates it in Shopify.
    _portal_return(world, shop, order.name, "ann@example.com", 1)
    _deliver(world, run_jobs)
    db.expire_all()
    request = db.scalars(select(ReturnRequest)).one()
    assert request.status == ReturnStatus.APPROVED
    shopify_return = store.returns[int(request.platform_return_id.rsplit("/", 1)[1])]
    assert shopify_return.status == "OPEN"
    reason = REASON_DEFINITIONS[shopify_return.lines[0].reason_definition_id]
    assert reason[0] == "size-too-small"  # the portal's "too_small", in Shopify's library

    # Received and graded "restock" at the back room.
    who = {
        "shop_id": shop.id,
        "return_id": request.id,
        "actor": "desk",
        "clock": SYS,
        "dispatcher": world["dispatcher"],
    }
    mark_in_transit(db, **who)
    receive_return(db, received={request.lines[0].id: 2}, **who)
    back_room = db.scalars(
        select(Location).where(Location.platform_id == f"gid://shopify/Location/{warehouse.id}")
    ).one()
    # The grading's job is lost, and the worker that applies the restock dies after Shopify
    # applied it and before Reshelf recorded it.
    grade_line(
        db,
        shop_id=shop.id,
        return_line_id=request.lines[0].id,
        grade=Grade.NEW,
        disposition=Disposition.RESTOCK,
        actor="bench",
        clock=SYS,
        dispatcher=_NoDispatch(),
        location_id=back_room.id,
    )
    movement = db.scalars(select(StockMovement)).one()
    _kill_mid_restock(world, movement.id)
    assert seeder.stock(store, shirt, warehouse) == 2
    db.expire_all()
    assert db.get(StockMovement, movement.id).state == LedgerState.PENDING
    jobs.apply_movement_job(movement.id)  # what the sweeper re-enqueues, run...
    jobs.apply_movement_job(movement.id)  # ...twice
    _deliver(world, run_jobs)
    assert seeder.stock(store, shirt, warehouse) == 2  # exactly the two units, at the back room
    assert seeder.stock(store, shirt) == 8  # the first location is untouched
    db.expire_all()
    assert db.get(StockMovement, movement.id).state == LedgerState.APPLIED

    # Refund through returnProcess; the settlement job runs twice; the return closes.
    settlement = resolve_return(
        db,
        shop_id=shop.id,
        return_id=request.id,
        actor="desk",
        clock=SYS,
        dispatcher=world["dispatcher"],
    )[0]
    _deliver(world, run_jobs)
    jobs.apply_settlement_job(settlement.id)
    db.expire_all()
    assert db.get(Settlement, settlement.id).state == LedgerState.APPLIED
    assert [r.amount for r in store.orders[placed.id].refunds] == [Decimal("80.00")]
    assert shopify_return.status == "CLOSED"
    close_return(db, **who)
    _deliver(world, run_jobs)
    assert [r.amount for r in store.orders[placed.id].refunds] == [Decimal("80.00")]
    assert seeder.stock(store, shirt, warehouse) == 2
    assert emulator.webhooks.failed == []


class _NoDispatch:
    """A dispatcher that loses the job, as a worker killed before enqueueing would."""

    def dispatch(self, kind, object_id):
        return None
