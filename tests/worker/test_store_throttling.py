"""The store answers 429 and 500 for a while: the work waits, retries and finishes.

Real HTTP: the WooCommerce connector talks to the emulated store (plugin route), behind a
middleware that throttles and fails the first calls.
"""

from __future__ import annotations

import random

from sqlalchemy import select

from connectors import connector_for
from core.clock import SystemClock
from core.enums import LedgerState
from core.models import StockMovement, Variant
from tests.worker.fakes import add_movement
from tests.worker.woo_store import FlakyStore, connect_shop, woo_stores
from worker import admin_data
from worker.context import WorkerContext, use_context
from worker.dispatch import RQDispatcher


def test_throttled_and_failing_store_calls_are_retried_until_done(
    db, engine, factory, redis_conn, run_jobs
):
    flaky: list[FlakyStore] = []

    def wrap(app):
        flaky.append(FlakyStore(app, throttled=4, failing=3))
        return flaky[-1]

    context = WorkerContext(engine=engine, clock=SystemClock(), connector_for=connector_for)
    with woo_stores(1, wrap) as [store], use_context(context):
        shop = connect_shop(db, factory, store, products=2, stock=5)
        variants = db.scalars(select(Variant).where(Variant.shop_id == shop.id)).all()
        chosen = [random.choice(variants) for _ in range(6)]
        movements = [add_movement(db, shop, v, quantity=2) for v in chosen]
        dispatcher = RQDispatcher(engine=engine, connection=redis_conn)
        for movement in movements:
            dispatcher.dispatch("movement", movement.id)

        run_jobs(timeout=45)

        db.expire_all()
        assert {m.state for m in db.scalars(select(StockMovement))} == {LedgerState.APPLIED}
        for variant in variants:
            added = 2 * sum(1 for v in chosen if v.id == variant.id)
            assert store.stock(int(variant.platform_id)) == 5 + added
        assert len(store.emulator.store.applied_movements) == 6
    assert admin_data.failed_jobs_of_shop(db, shop.id, redis_conn) == []
    seen = flaky[0].seen
    assert [status for _, _, status in seen[:7]] == [429] * 4 + [500] * 3
    # Retry-After was honoured: no throttled movement came back within the second it named.
    for at, movement, status in seen:
        if status == 429:
            later = [t for t, m, _ in seen if m == movement and t > at]
            assert later
            assert min(later) - at >= 1.0
