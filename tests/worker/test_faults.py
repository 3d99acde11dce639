"""Fault injection: workers SIGKILLed at points inside their jobs and Redis flushed mid-run.

400 restock movements across three shops (three emulated WooCommerce stores over real
HTTP, restocking through the plugin's atomic route) are worked by two separate worker
processes (``python -m worker --queues restock``, as ``reshelf worker`` runs; the other
queues, which the schedule fills, are not this test's subject). The run is a number of
rounds, not a number of seconds: each round lets the workers make a random number of store
calls, holds the next one (``crash_points``), SIGKILLs the workers with their work horses
there and restarts them. Even rounds kill both workers with the held call before the store
saw it or after the store applied it and before its answer (the held movement must still
be pending then: the test proves it reached the window exactly-once is about); odd rounds
kill one worker while the other works on, and one of them flushes Redis under the
survivor. The sweeper (which the schedule runs every minute) runs after every round and
every second while the rest drains. Then every movement must be applied exactly once:
each store's stock equals its starting stock plus the movements for it, the stores saw
each movement applied once, and nothing is left pending.

Without ``REDIS_URL`` (embedded mode) the processes share fakeredis's TCP server
(``shared_redis_url``). ``RESHELF_FAULT_SEED`` replays a run.
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
from tests.worker.crash_points import AFTER, BEFORE, CrashPoints
from tests.worker.woo_store import connect_shop, woo_stores
from worker.context import WorkerContext, use_context
from worker.dispatch import RQDispatcher
from worker.queues import RESTOCK
from worker.sweeper import sweep

pytestmark = [pytest.mark.faults, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[2]
# Enough movements that the rounds end with most still to do: the last workers drain them.
MOVEMENTS, SHOPS, PRODUCTS_PER_SHOP, START_STOCK = 400, 3, 4, 50
ROUNDS, FLUSH_ROUND = 6, 3  # the flush comes in a round that leaves one worker alive
CALLS_BEFORE_POINT = (5, 30)  # store calls a round lets through before its crash point
# Bounds on waiting, not measures: a slow machine takes longer, it does not fail.
POINT_SECONDS, DRAIN_SECONDS = 120.0, 180.0


class WorkerProcess:
    """``python -m worker`` in its own process group, so a kill takes its horse too."""

    def __init__(self, redis_url: str, log_path: Path) -> None:
        env = {**os.environ, "REDIS_URL": redis_url, "DATABASE_URL": get_settings().database_url}
        self.log = log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "worker", "--queues", RESTOCK],
            cwd=REPO_ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

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
    points = CrashPoints()
    with woo_stores(SHOPS, points.wrap) as stores, use_context(context):
        shops = [connect_shop(db, factory, s, PRODUCTS_PER_SHOP, START_STOCK) for s in stores]
        variants = db.scalars(select(Variant).where(Variant.shop_id.in_([s.id for s in shops])))
        variants = list(variants)
        store_of = {shop.id: store for shop, store in zip(shops, stores, strict=True)}
        location = {v.shop_id: _location(db, v) for v in variants}
        expected: Counter[int] = Counter()
        for n in range(MOVEMENTS):
            variant, quantity = rng.choice(variants), rng.randint(1, 3)
            db.add(
                StockMovement(
                    shop_id=variant.shop_id,
                    variant_id=variant.id,
                    location_id=location[variant.shop_id],
                    quantity=quantity,
                    idempotency_key=f"fault-{n}",
                )
            )
            expected[variant.id] += quantity
        db.commit()
        dispatcher = RQDispatcher(engine=engine, connection=connection)
        for movement_id in db.scalars(select(StockMovement.id)):
            dispatcher.dispatch("movement", movement_id)

        logs = tmp_path / "workers.log"
        workers = [WorkerProcess(shared_redis_url, logs) for _ in range(2)]
        killed: list[tuple[str, str, LedgerState, bool]] = []  # where, key, state, store has it
        try:
            for n in range(ROUNDS):
                everyone = n % 2 == 0
                where = _point(n)
                points.arm(rng.randint(*CALLS_BEFORE_POINT), where)
                key = points.wait(POINT_SECONDS)
                victims = range(len(workers)) if everyone else [rng.randrange(len(workers))]
                for victim in victims:
                    workers[victim].kill()
                if everyone:
                    killed.append((where, key, _state(db, key), _store_has(stores, key)))
                if n == FLUSH_ROUND:
                    connection.flushdb()
                points.release()
                sweep(connection)
                for victim in victims:
                    workers[victim] = WorkerProcess(shared_redis_url, logs)
            _drain(db, connection, DRAIN_SECONDS, seed)
        finally:
            points.release()
            for worker in workers:
                worker.stop()

        # Each crash point was reached with its movement still pending in the database, and
        # after the store's change the store had applied it: the worker died in between.
        assert [(w, s, h or w == BEFORE) for w, _, s, h in killed] == [
            (where, LedgerState.PENDING, True) for where in _kill_all_points()
        ], f"seed {seed}: {killed}"
        db.expire_all()
        states = dict(
            db.execute(
                select(StockMovement.state, func.count()).group_by(StockMovement.state)
            ).all()
        )
        assert states == {LedgerState.APPLIED: MOVEMENTS}, f"seed {seed}"
        for variant in variants:
            store = store_of[variant.shop_id]
            product_id = int(variant.platform_id)
            stock = store.stock(product_id)
            assert stock == START_STOCK + expected[variant.id], f"seed {seed}: {variant.sku}"
        applied = sum(len(s.emulator.store.applied_movements) for s in stores)
        assert applied == MOVEMENTS


def _point(n: int) -> str:
    """Where round ``n`` holds its call: kill-all rounds alternate after and before."""
    return AFTER if n % 4 in (0, 1, 3) else BEFORE


def _kill_all_points() -> list[str]:
    """The points of the rounds that kill both workers, in order."""
    return [_point(n) for n in range(0, ROUNDS, 2)]


def _state(db, key: str) -> LedgerState:
    """The movement's state in the database now (a fresh snapshot)."""
    state = db.scalar(select(StockMovement.state).where(StockMovement.idempotency_key == key))
    db.rollback()
    return LedgerState(state)


def _store_has(stores, key: str) -> bool:
    """True if one of the stores has applied the movement."""
    return any(key in s.emulator.store.applied_movements for s in stores)


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
    limits = {
        r.key: (r.get_allowed_job_ids(), r.get_rate_limited_job_ids())
        for r in RateLimitRegistry.all(connection)
    }
    key = "rq:queue:restock"
    return {
        f"restock-{i}": (
            connection.hgetall(f"rq:job:restock-{i}").get(b"status"),
            connection.lpos(key, f"restock-{i}"),
            connection.lpos(f"{key}:intermediate", f"restock-{i}"),
        )
        for i in ids
    } | {"limits": limits}
