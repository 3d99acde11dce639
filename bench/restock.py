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
import time
from contextlib import ExitStack
from typing import Any

from rq import Worker
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.common import percentile, report
from bench.emulators import serve
from bench.restock_parts import (
    CLOCK,
    StockWatch,
    TimingDispatcher,
    grade,
    prepare_lines,
    wait_until,
    workers,
)
from bench.services import bench_environment
from connectors.woocommerce import install as woo_install
from core.models import ReturnLine, StockMovement
from sandbox.woocommerce import create_emulator
from worker.dispatch import RQDispatcher

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
