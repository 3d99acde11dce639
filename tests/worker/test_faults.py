"""Fault injection: workers SIGKILLed at random moments and Redis flushed mid-run.

1,000 restock movements across three shops (three emulated WooCommerce stores over real
HTTP, restocking through the plugin's atomic route) are worked by two separate worker
processes (``python -m worker --queues restock``, as ``reshelf worker`` runs; the other
queues, which the schedule fills, are not this test's subject). Each is killed with its work
horse at random moments and restarted; Redis is flushed once. The sweeper (which the
schedule runs every minute) is run every second here to compress time. When the queues
drain, every movement must be applied exactly once: each store's stock equals its
starting stock plus the movements for it, and nothing is left pending.

Without ``REDIS_URL`` (embedded mode) the processes share fakeredis's TCP server
(``shared_redis_url``).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import func, select

from connectors import connector_for
from core.clock import SystemClock
from core.config import get_settings
from core.enums import LedgerState
from core.models import StockMovement, Variant
from tests.support.queue_fixtures import queues_idle
from tests.worker.woo_store import connect_shop, woo_stores
from worker.context import WorkerContext, use_context
from worker.dispatch import RQDispatcher
from worker.queues import RESTOCK
from worker.sweeper import sweep

pytestmark = [pytest.mark.faults, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[2]
MOVEMENTS, SHOPS, PRODUCTS_PER_SHOP, START_STOCK = 1000, 3, 4, 50
CHAOS_SECONDS, DRAIN_SECONDS = 12.0, 40.0


class WorkerProcess:
    """``python -m worker`` in its own process group, so a kill takes its horse too."""

    def __init__(self, redis_url: str, log_path: Path) -> None:
        env = {**os.environ, "REDIS_URL": redis_url, "DATABASE_URL": get_settings().database_url}
        self.log = log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "worker", "--queues", RESTOCK], cwd=REPO_ROOT, env=env,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL, no warning: the process and its work horse die mid-instruction."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()  # reaped, so its pid reads as gone
        self.log.close()

    def stop(self) -> None:
        """SIGTERM (warm shutdown); kill if it does not finish in time."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def test_killed_workers_and_a_flushed_redis_apply_every_movement_exactly_once(
    db, engine, factory, shared_redis_url, tmp_path
):
    seed = int(os.environ.get("RESHELF_FAULT_SEED", time.time()))  # set it to replay a run
    rng = random.Random(seed)
    connection = Redis.from_url(shared_redis_url)
    context = WorkerContext(engine=engine, clock=SystemClock(), connector_for=connector_for)
    with woo_stores(SHOPS) as stores, use_context(context):
        shops = [connect_shop(db, factory, s, PRODUCTS_PER_SHOP, START_STOCK) for s in stores]
        variants = db.scalars(select(Variant).where(Variant.shop_id.in_([s.id for s in shops])))
        variants = list(variants)
        store_of = {shop.id: store for shop, store in zip(shops, stores, strict=True)}
        expected: Counter[int] = Counter()
        for n in range(MOVEMENTS):
            variant, quantity = rng.choice(variants), rng.randint(1, 3)
            db.add(StockMovement(
                shop_id=variant.shop_id, variant_id=variant.id, location_id=_location(db, variant),
                quantity=quantity, idempotency_key=f"fault-{n}",
            ))  # fmt: skip
            expected[variant.id] += quantity
        db.commit()
        dispatcher = RQDispatcher(engine=engine, connection=connection)
        for movement_id in db.scalars(select(StockMovement.id)):
            dispatcher.dispatch("movement", movement_id)

        logs = tmp_path / "workers.log"
        workers = [WorkerProcess(shared_redis_url, logs) for _ in range(2)]
        kills, flushed = 0, False
        try:
            started = time.monotonic()
            while time.monotonic() - started < CHAOS_SECONDS:
                time.sleep(rng.uniform(0.2, 1.2))
                victim = rng.randrange(len(workers))
                workers[victim].kill()
                workers[victim] = WorkerProcess(shared_redis_url, logs)
                kills += 1
                if not flushed and time.monotonic() - started > CHAOS_SECONDS / 3:
                    connection.flushdb()
                    flushed = True
                sweep(connection)
            _drain(db, connection, DRAIN_SECONDS, seed)
        finally:
            for worker in workers:
                worker.stop()

        assert kills >= 5
        assert flushed
        db.expire_all()
        states = dict(db.execute(
            select(StockMovement.state, func.count()).group_by(StockMovement.state)
        ).all())  # fmt: skip
        assert states == {LedgerState.APPLIED: MOVEMENTS}, f"seed {seed}"
        for variant in variants:
            store = store_of[variant.shop_id]
            product_id = int(variant.platform_id)
            stock = store.stock(product_id)
            assert stock == START_STOCK + expected[variant.id], f"seed {seed}: {variant.sku}"
        applied = sum(len(s.emulator.store.applied_movements) for s in stores)
        assert applied == MOVEMENTS


def _location(db, variant):
    from core.models import Location

    return db.scalar(select(Location.id).where(Location.shop_id == variant.shop_id))


def _drain(db, connection: Redis, timeout: float, seed: int) -> None:
    """Sweep every second (the schedule's job, compressed) until nothing is pending."""
    deadline = time.monotonic() + timeout
    while True:
        sweep(connection)
        pending = db.scalar(select(func.count()).where(StockMovement.state == LedgerState.PENDING))
        db.rollback()  # a fresh snapshot next time
        if pending == 0 and queues_idle(connection, [RESTOCK]):
            return
        if time.monotonic() > deadline:
            where = _where(db, connection)
            raise AssertionError(f"seed {seed}: {pending} pending after {timeout} s: {where}")
        time.sleep(1.0)


def _where(db, connection: Redis) -> dict[str, object]:
    """Where the pending movements' jobs are, to say why the queues did not drain."""
    from rq.rate_limit import RateLimitRegistry

    ids = db.scalars(select(StockMovement.id).where(StockMovement.state == LedgerState.PENDING))
    limits = {r.key: (r.get_allowed_job_ids(), r.get_rate_limited_job_ids())
              for r in RateLimitRegistry.all(connection)}  # fmt: skip
    key = "rq:queue:restock"
    return {
        f"restock-{i}": (
            connection.hgetall(f"rq:job:restock-{i}").get(b"status"),
            connection.lpos(key, f"restock-{i}"),
            connection.lpos(f"{key}:intermediate", f"restock-{i}"),
        )
        for i in ids
    } | {"limits": limits}
