"""Running workers in-process: the embedded thread, ``reshelf worker --burst``, the cron lease."""

from __future__ import annotations

import logging
import signal
import time

import pytest
from click.testing import CliRunner
from rq.cron import CronScheduler

from core.enums import LedgerState
from core.models import StockMovement
from tests.worker.fakes import add_movement
from worker.cli import worker_command
from worker.queues import PRIORITY, get_queue
from worker.schedule import SCHEDULE, CronThread


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


@pytest.fixture
def restore_signals_and_logging():
    """``Worker.work`` installs SIGINT/SIGTERM handlers and the CLI configures logging."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    handlers = list(logging.getLogger().handlers)
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    logging.getLogger().handlers[:] = handlers


def test_the_embedded_worker_runs_jobs_in_a_background_thread(
    db, factory, store, rq_dispatcher, redis_conn
):
    from worker.runner import start_embedded_worker

    shop = factory.shop()
    movement = add_movement(db, shop, factory.variant(shop, platform_id="sku-e"), quantity=2)
    embedded = start_embedded_worker(poll_seconds=0.1)
    try:
        rq_dispatcher.dispatch("movement", movement.id)
        _wait_for(lambda: store.stock.get("sku-e") == 2)
    finally:
        embedded.stop()
    assert not embedded.thread.is_alive()
    db.expire_all()
    assert db.get(StockMovement, movement.id).state == LedgerState.APPLIED


def test_reshelf_worker_burst_sweeps_then_works_until_empty(
    db, factory, store, redis_conn, restore_signals_and_logging
):
    shop = factory.shop()
    movement = add_movement(db, shop, factory.variant(shop))  # committed, never enqueued

    result = CliRunner().invoke(worker_command, ["--burst", "--queues", "restock"])

    assert result.exit_code == 0, result.output
    db.expire_all()
    assert db.get(StockMovement, movement.id).state == LedgerState.APPLIED
    assert get_queue("restock", redis_conn).count == 0


def test_unknown_queues_are_refused():
    result = CliRunner().invoke(worker_command, ["--queues", "everything"])
    assert result.exit_code == 2
    assert "everything" in result.output


def test_only_one_cron_thread_enqueues_the_schedule(redis_conn):
    first, second = CronThread(redis_conn), CronThread(redis_conn)
    first.start()
    second.start()
    try:
        _wait_for(lambda: sum(get_queue(q, redis_conn).count for q in PRIORITY) >= len(SCHEDULE))
        time.sleep(0.5)  # give the second thread its chance to (wrongly) enqueue as well
    finally:
        first.stop()
        second.stop()
    assert sum(get_queue(q, redis_conn).count for q in PRIORITY) == len(SCHEDULE)
    assert len(CronScheduler.all(redis_conn)) == 1
