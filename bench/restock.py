"""Restock latency: from committing a ``restock`` grade to the store's stock changing.

Two WooCommerce emulators (with the companion plugin's atomic stock route) stand for two
shops; ``python -m worker --queues restock`` processes apply the ledger on PostgreSQL and
Redis. One worker process and two take turns, one, two, two, one (this machine's speed
drifts within a minute; in this order a drift weighs on both alike), each 500 lines in all:

- throughput: those lines are graded, half a turn's worth at a time, their jobs held back
  until the turn's workers are up and waiting, then enqueued at once; the rate from the
  first to the last store change is jobs/s;
- latency: 100 more lines a turn are graded at a steady pace with the workers running, and
  each line's time from its commit to its product's stock change on the store is taken.

    DATABASE_URL=postgresql://127.0.0.1/test REDIS_URL=redis://127.0.0.1:6379/0 \\
        python -m bench.restock
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from rq import Worker
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.common import percentile, report
from bench.emulators import serve
from bench.services import REPO, bench_environment
from connectors.woocommerce import install as woo_install
from connectors.woocommerce.mapping import ensure_location
from core.clock import SystemClock
from core.enums import Disposition, Grade
from core.models import Order, OrderLine, ReturnLine, StockMovement, Variant
from core.ports import JobKind, NullDispatcher
from core.services import LineRequest, grade_line, receive_return, request_return
from sandbox.woocommerce import create_emulator
from sandbox.woocommerce.seed import seed_catalog
from worker.dispatch import RQDispatcher

CLOCK = SystemClock()


class StockWatch:
    """Records when each product's stock changed on the emulated store (in this process)."""

    def __init__(self, store: Any) -> None:
        self.changed_at: dict[tuple[int, int], float] = {}
        self.store, inner = store, store.update_stock

        def update_stock(product_id: int, quantity: int, operation: str) -> int | None:
            result: int | None = inner(product_id, quantity, operation)
            self.changed_at.setdefault((id(store), product_id), time.perf_counter())
            return result

        store.update_stock = update_stock


class TimingDispatcher:
    """Notes when each movement was committed (services dispatch right after commit); while
    ``held``, keeps the jobs back until ``release``."""

    def __init__(self, inner: RQDispatcher) -> None:
        self.inner, self.committed_at = inner, {}  # type: ignore[var-annotated]
        self.held: list[tuple[JobKind, int]] | None = None

    def dispatch(self, kind: JobKind, object_id: int) -> None:
        if kind == "movement":
            self.committed_at[object_id] = time.perf_counter()
        if self.held is not None:
            self.held.append((kind, object_id))
        else:
            self.inner.dispatch(kind, object_id)

    def release(self) -> None:
        """Enqueue every held job now (faster than workers take them), and hold no more."""
        held, self.held = self.held or [], None
        for kind, object_id in held:
            self.inner.dispatch(kind, object_id)


def prepare_lines(session: Session, shop: Any, store: Any, count: int) -> list[tuple[int, int]]:
    """``count`` received return lines, each of its own product; (return line id, product)."""
    location = ensure_location(session, shop)
    session.commit()
    lines = []
    for product in seed_catalog(store, count=count, stock=5):
        variant = Variant(
            shop_id=shop.id,
            platform_id=str(product["id"]),
            product_platform_id=str(product["id"]),
            sku=product["sku"],
        )
        session.add(variant)
        session.flush()
        order = Order(
            shop_id=shop.id,
            platform_id=f"o{variant.id}",
            number=str(variant.id),
            currency="USD",
            ordered_at=CLOCK.now(),
            delivered_at=CLOCK.now(),
        )
        price = Decimal(20)
        order.lines.append(
            OrderLine(
                shop_id=shop.id,
                platform_id=f"l{variant.id}",
                quantity=1,
                variant_id=variant.id,
                unit_price=price,
                discounted_unit_price=price,
                currency="USD",
            )
        )
        session.add(order)
        session.commit()
        ret = request_return(
            session,
            shop_id=shop.id,
            order_id=order.id,
            lines=[LineRequest(order.lines[0].id, 1)],
            actor="bench",
            clock=CLOCK,
            dispatcher=NullDispatcher(),
        )
        receive_return(
            session,
            shop_id=shop.id,
            return_id=ret.id,
            received={ret.lines[0].id: 1},
            actor="bench",
            clock=CLOCK,
            dispatcher=NullDispatcher(),
        )
        lines.append((ret.lines[0].id, int(product["id"])))
    assert location.id
    return lines


def grade(session: Session, shop_id: int, line_id: int, dispatcher: Any) -> None:
    grade_line(
        session,
        shop_id=shop_id,
        return_line_id=line_id,
        grade=Grade.NEW,
        disposition=Disposition.RESTOCK,
        actor="bench",
        clock=CLOCK,
        dispatcher=dispatcher,
    )


@contextmanager
def workers(count: int, env: dict[str, str]) -> Iterator[None]:
    """``count`` worker processes on the restock queue; their log goes to a file, so the
    benchmark's own output stays one JSON figure per line."""
    log_path = Path(env["RESHELF_INSTANCE_PATH"]) / f"workers-{count}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "worker", "--queues", "restock"],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
            for _ in range(count)
        ]
        try:
            yield
        finally:
            for proc in procs:
                os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs:
                proc.wait(timeout=30)


def wait_until(done: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the workers did not finish in time")
        time.sleep(0.01)


TURNS = (1, 2, 2, 1)  # worker processes, turn by turn


def run(args: argparse.Namespace, env: dict[str, str], engine: Any) -> dict[int, dict[str, Any]]:
    """Every turn of ``TURNS``; per worker count, lines done and the time they took, and
    the latencies."""
    burst_size, steady_size = args.lines // 2, args.latency_lines // 2
    per_turn = burst_size + steady_size
    results: dict[int, dict[str, Any]] = {
        count: {"lines": 0, "seconds": 0.0, "latencies": []} for count in set(TURNS)
    }
    with ExitStack() as stack, Session(engine) as session:
        shops = []
        for _ in range(2):
            app = create_emulator(plugin_installed=True)
            emulator = app.extensions["wc_emulator"]
            url = stack.enter_context(serve(app))
            key, secret = emulator.store.create_api_key("read_write")
            shop = woo_install.save_shop(session, url, key, secret, CLOCK)
            watch = StockWatch(emulator.store)
            half = per_turn * len(TURNS) // 2
            shops.append((shop, watch, prepare_lines(session, shop, emulator.store, half)))
        timing = TimingDispatcher(RQDispatcher(engine=engine))
        # The two shops' lines alternate, so every turn works for both.
        todo = [
            (shop.id, watch, line)
            for pair in zip(*(lines for _, _, lines in shops), strict=True)
            for (shop, watch, _), line in zip(shops, pair, strict=True)
        ]
        for turn, count in enumerate(TURNS):
            lines = todo[turn * per_turn : (turn + 1) * per_turn]
            burst, steady = lines[:burst_size], lines[burst_size:]
            result = results[count]
            seconds = _turn(session, timing, count, burst, steady, env, args)
            result["lines"] += len(burst) - 1
            result["seconds"] += seconds
            result["latencies"] += _latencies(session, timing, steady)
    return results


def _turn(
    session: Session,
    timing: TimingDispatcher,
    count: int,
    burst: list[Any],
    steady: list[Any],
    env: dict[str, str],
    args: argparse.Namespace,
) -> float:
    """Grade ``burst`` holding its jobs back, start ``count`` workers and release the jobs
    once every worker waits for work; time them from the first store change to the last.
    Then grade ``steady`` at a steady pace."""
    timing.held = []
    for shop_id, _watch, (line_id, _product) in burst:
        grade(session, shop_id, line_id, timing)
    with workers(count, env):
        connection = timing.inner.connection
        wait_until(lambda: len(Worker.all(connection=connection)) == count, args.timeout)
        timing.release()
        wait_until(
            lambda: all((id(w.store), p) in w.changed_at for _, w, (_, p) in burst), args.timeout
        )
        times = sorted(w.changed_at[(id(w.store), p)] for _, w, (_, p) in burst)
        timing.committed_at.clear()
        for shop_id, _watch, (line_id, _product) in steady:
            grade(session, shop_id, line_id, timing)
            time.sleep(1 / args.rate)
        wait_until(
            lambda: all((id(w.store), p) in w.changed_at for _, w, (_, p) in steady), args.timeout
        )
    return float(times[-1] - times[0])


def _latencies(session: Session, timing: TimingDispatcher, steady: list[Any]) -> list[float]:
    """Each steady line's time from its grade's commit to its stock changing, in ms."""
    by_line = {line_id: (w, p) for _, w, (line_id, p) in steady}
    movements = {
        m_id: session.get_one(ReturnLine, line_id)
        for m_id, line_id in _movement_lines(session, list(timing.committed_at))
    }
    latencies = []
    for movement_id, committed in timing.committed_at.items():
        watch, product = by_line[movements[movement_id].id]
        latencies.append((watch.changed_at[(id(watch.store), product)] - committed) * 1000)
    return latencies


def _movement_lines(session: Session, ids: list[int]) -> list[tuple[int, int]]:
    rows = session.execute(
        select(StockMovement.id, StockMovement.return_line_id).where(StockMovement.id.in_(ids))
    )
    return [(m, line) for m, line in rows if line is not None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--latency-lines", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="grades per second, steady")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    with bench_environment("restock") as (env, engine):
        results = run(args, env, engine)
    rates = {}
    for count, result in sorted(results.items()):
        lat = result["latencies"]
        rates[count] = result["lines"] / result["seconds"]
        report(
            "restock",
            f"restock.jobs_per_s.{count}_worker",
            rates[count],
            "jobs/s",
            lines=args.lines,
        )
        report("restock", f"restock.p50_ms.{count}_worker", percentile(lat, 50), "ms")
        report("restock", f"restock.p99_ms.{count}_worker", percentile(lat, 99), "ms")
    all_lat = results[1]["latencies"] + results[2]["latencies"]
    report("restock", "restock.p50_ms", percentile(all_lat, 50), "ms", target=250)
    report("restock", "restock.p99_ms", percentile(all_lat, 99), "ms", target=1000)
    report(
        "restock",
        "restock.two_worker_speedup",
        rates[2],
        "jobs/s",
        rates[1],
        target=1.4,
        turns=list(TURNS),
    )


if __name__ == "__main__":
    main()
