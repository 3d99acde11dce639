"""Acknowledgements behind slow requests: gunicorn's sync workers against threaded ones.

Each configuration serves Reshelf (plus ``/bench/slow``, a request that takes 3 s, as a
heavy admin page or export would) on PostgreSQL and Redis. Four clients keep slow requests
running while signed Shopify deliveries arrive at a steady rate; the figure is the p99 and
the worst acknowledgement time, and how many took longer than Shopify's 5 s.

    DATABASE_URL=postgresql://127.0.0.1/test python -m bench.acks [--seconds 10]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time

import httpx
from flask import Flask
from sqlalchemy.orm import Session

from bench.common import percentile, report
from bench.ingest import DOMAIN, SECRET, maker, order_body
from bench.load import open_loop
from bench.services import REPO, bench_environment, free_port, wait_for
from core.enums import Platform
from core.models import Shop
from webapp import create_app

SLOW_SECONDS = 3.0
CONFIGS = {
    "sync": ["--workers", "2"],  # what `reshelf serve` ran before
    "gthread": ["--workers", "2", "--worker-class", "gthread", "--threads", "8"],  # today's
}


def make_app() -> Flask:
    """Reshelf with a slow page, for gunicorn (``bench.acks:make_app()``)."""

    app = create_app()

    def slow() -> tuple[str, int]:
        """Hold a worker for a while, as a heavy page does."""
        time.sleep(SLOW_SECONDS)
        return "", 200

    app.add_url_rule("/bench/slow", view_func=slow)
    return app


def measure(env: dict[str, str], options: list[str], rate: float, seconds: float) -> list[float]:
    """Ack latencies (ms) at ``rate`` deliveries/s while four clients hold slow requests."""
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", *options]
    cmd += ["--log-level", "warning", "--timeout", "60", "bench.acks:make_app()"]
    proc = subprocess.Popen(cmd, env=env, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    stopping = threading.Event()

    def hold() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stopping.is_set():
                try:
                    client.get("/bench/slow")
                except httpx.TransportError:  # the server stopping under it
                    return

    try:
        wait_for(f"{base}/healthz", proc)
        holders = [threading.Thread(target=hold, daemon=True) for _ in range(4)]
        for holder in holders:
            holder.start()
        time.sleep(0.5)  # the slow requests are in
        result = open_loop(base, maker(order_body(), []), rate, seconds)
        stopping.set()
        return result.latencies_ms
    finally:
        stopping.set()
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=50.0)
    args = parser.parse_args()
    with bench_environment("acks") as (env, engine):
        with Session(engine) as session:
            shop = Shop(platform=Platform.SHOPIFY, domain=DOMAIN)
            shop.set_credentials(api_secret=SECRET)
            session.add(shop)
            session.commit()
        for name, options in CONFIGS.items():
            latencies = measure(env, options, args.rate, args.seconds)
            report(
                "acks",
                f"acks.{name}.p99_ms",
                percentile(latencies, 99),
                "ms",
                max_ms=round(max(latencies), 1),
                over_5s=sum(x > 5000 for x in latencies),
                acks=len(latencies),
                slow_requests=4,
                rate=args.rate,
            )


if __name__ == "__main__":
    main()
