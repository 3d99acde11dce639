"""Restock latency: from committing a ``restock`` grade to the store's stock changing.

Two WooCommerce emulators (with the companion plugin's atomic stock route) stand for two
shops; ``python -m worker --queues restock`` processes apply the ledger on PostgreSQL and
Redis. For one and then two worker processes:

- throughput: 500 lines are graded while no worker runs, then the workers start and the
  rate from the first to the last store change is jobs/s;
- latency: 200 more lines are graded at a steady pace with the workers running, and each
  line's time from its commit to its product's stock change on the store is taken.

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
    """Notes when each movement was committed (services dispatch right after commit)."""

    def __init__(self, inner: RQDispatcher) -> None:
        self.inner, self.committed_at = inner, {}  # type: ignore[var-annotated]

    def dispatch(self, kind: JobKind, object_id: int) -> None:
        if kind == "movement":
            self.committed_at[object_id] = time.perf_counter()
        self.inner.dispatch(kind, object_id)


def prepare_lines(session: Session, shop: Any, store: Any, count: int) -> list[tuple[int, int]]:
    """``count`` received return lines, each of its own product; (return line id, product)."""
    location = ensure_location(session, shop)
    session.commit()
    lines = []
    for product in seed_catalog(store, count=count, stock=5):
        variant = Variant(shop_id=shop.id, platform_id=str(product["id"]),
                          product_platform_id=str(product["id"]), sku=product["sku"])  # fmt: skip
        session.add(variant)
        session.flush()
        order = Order(shop_id=shop.id, platform_id=f"o{variant.id}", number=str(variant.id),
                      currency="USD", ordered_at=CLOCK.now(), delivered_at=CLOCK.now())  # fmt: skip
        price = Decimal(20)
        order.lines.append(OrderLine(shop_id=shop.id, platform_id=f"l{variant.id}", quantity=1,
                                     variant_id=variant.id, unit_price=price,
                                     discounted_unit_price=price, currency="USD"))  # fmt: skip
        session.add(order)
        session.commit()
        ret = request_return(session, shop_id=shop.id, order_id=order.id,
                             lines=[LineRequest(order.lines[0].id, 1)], actor="bench",
                             clock=CLOCK, dispatcher=NullDispatcher())  # fmt: skip
        receive_return(session, shop_id=shop.id, return_id=ret.id,
                       received={ret.lines[0].id: 1}, actor="bench", clock=CLOCK,
                       dispatcher=NullDispatcher())  # fmt: skip
        lines.append((ret.lines[0].id, int(product["id"])))
    assert location.id
    return lines


def grade(session: Session, shop_id: int, line_id: int, dispatcher: Any) -> None:
    grade_line(session, shop_id=shop_id, return_line_id=line_id, grade=Grade.NEW,
               disposition=Disposition.RESTOCK, actor="bench", clock=CLOCK,
               dispatcher=dispatcher)  # fmt: skip


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
            )  # fmt: skip
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


def run(count: int, args: argparse.Namespace, env: dict[str, str], engine: Any) -> dict[str, Any]:
    with ExitStack() as stack, Session(engine) as session:
        shops = []
        for _ in range(2):
            app = create_emulator(plugin_installed=True)
            emulator = app.extensions["wc_emulator"]
            url = stack.enter_context(serve(app))
            key, secret = emulator.store.create_api_key("read_write")
            shop = woo_install.save_shop(session, url, key, secret, CLOCK)
            watch = StockWatch(emulator.store)
            half = (args.lines + args.latency_lines) // 2
            shops.append((shop, watch, prepare_lines(session, shop, emulator.store, half)))
        timing = TimingDispatcher(RQDispatcher(engine=engine))
        todo = [(shop.id, watch, line) for shop, watch, lines in shops for line in lines]
        burst, steady = todo[: args.lines], todo[args.lines :]
        for shop_id, _watch, (line_id, _product) in burst:
            grade(session, shop_id, line_id, timing)
        with workers(count, env):
            wait_until(lambda: all((id(w.store), p) in w.changed_at for _, w, (_, p) in burst),
                       args.timeout)  # fmt: skip
            times = sorted(w.changed_at[(id(w.store), p)] for _, w, (_, p) in burst)
            jobs_per_s = (len(times) - 1) / (times[-1] - times[0])
            timing.committed_at.clear()
            for shop_id, _watch, (line_id, _product) in steady:
                grade(session, shop_id, line_id, timing)
                time.sleep(1 / args.rate)
            wait_until(lambda: all((id(w.store), p) in w.changed_at for _, w, (_, p) in steady),
                       args.timeout)  # fmt: skip
        by_line = {line_id: (w, p) for _, w, (line_id, p) in steady}
        movements = {
            m_id: session.get_one(ReturnLine, line_id)
            for m_id, line_id in _movement_lines(session, list(timing.committed_at))
        }
        latencies = []
        for movement_id, committed in timing.committed_at.items():
            watch, product = by_line[movements[movement_id].id]
            latencies.append((watch.changed_at[(id(watch.store), product)] - committed) * 1000)
    return {"jobs_per_s": jobs_per_s, "latencies": latencies}


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
    results = {}
    for count in (1, 2):
        with bench_environment(f"restock{count}") as (env, engine):
            results[count] = run(count, args, env, engine)
        lat = results[count]["latencies"]
        report("restock", f"restock.jobs_per_s.{count}_worker", results[count]["jobs_per_s"],
               "jobs/s", lines=args.lines)  # fmt: skip
        report("restock", f"restock.p50_ms.{count}_worker", percentile(lat, 50), "ms")
        report("restock", f"restock.p99_ms.{count}_worker", percentile(lat, 99), "ms")
    one, two = results[1], results[2]
    all_lat = one["latencies"] + two["latencies"]
    report("restock", "restock.p50_ms", percentile(all_lat, 50), "ms", target=250)
    report("restock", "restock.p99_ms", percentile(all_lat, 99), "ms", target=1000)
    report("restock", "restock.two_worker_speedup", two["jobs_per_s"], "jobs/s",
           one["jobs_per_s"], target=1.4)  # fmt: skip


if __name__ == "__main__":
    main()
