"""Chaos: signed Shopify webhooks while the worker is killed, Redis stops and the web restarts.

On PostgreSQL (a schema of its own) and a redis-server of its own, ``reshelf serve``'s
gunicorn and a ``reshelf worker`` take 2,000 signed ``orders/create`` deliveries, one new
order each, spread over about a minute. Every delivery is sent the way Shopify sends it:
an answer that is not a 2xx, or one slower than 5 s, is a failure, retried after a
backoff, up to 8 retries. Shopify spreads its retries over 4 hours; here the schedule is
compressed to about a minute (``RETRY_DELAYS``). Meanwhile the run SIGKILLs the worker
twice (and restarts it, as systemd's ``Restart=always`` would), stops Redis for 20 s
(the worker must come back by itself) and restarts the web process. Then it counts from
the database: every acknowledged delivery must have mirrored its order exactly once.

    DATABASE_URL=postgresql://127.0.0.1/test python -m bench.chaos [--deliveries 2000]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import heapq
import hmac
import os
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bench.chaos_parts import OwnRedis, SupervisedWorker, Web, log_file
from bench.common import percentile, report
from bench.emulators import serve_forked, shopify_emulator
from bench.ingest import order_body
from bench.services import bench_environment
from core.enums import InboxStatus, Platform
from core.models import InboxDelivery, Order, Shop

ACK_LIMIT = 5.0  # Shopify's: an answer slower than this is a failure
RETRY_DELAYS = (1, 2, 3, 5, 8, 10, 13, 18)  # 8 retries, 4 hours compressed to a minute
ORDER_BASE = 5_000_000_000
SECRET, TOKEN = "bench-chaos-secret", "shpat_bench_chaos"


@dataclass
class Sent:
    """What the senders saw, per delivery and per attempt."""

    acked: set[int] = field(default_factory=set)
    given_up: set[int] = field(default_factory=set)
    ack_seconds: list[float] = field(default_factory=list)
    over_5s: int = 0
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def delivery(domain: str, n: int) -> tuple[str, bytes, dict[str, str]]:
    """The n-th delivery: its own order and webhook id, kept on every retry (as Shopify does)."""
    body = order_body().replace(b"820982911946154508", str(ORDER_BASE + n).encode())
    body = body.replace(b"gid://shopify/Order/1", f"gid://shopify/Order/{ORDER_BASE + n}".encode())
    signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest())
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": domain,
        "X-Shopify-Hmac-Sha256": signature.decode(),
        "X-Shopify-Webhook-Id": f"chaos-{n}",
        "X-Shopify-API-Version": "2026-04",
        "X-Shopify-Triggered-At": "2026-06-01T14:00:00Z",
    }
    return "/webhooks/shopify", body, headers


def send_all(base: str, domain: str, count: int, seconds: float, sent: Sent) -> None:
    """First attempts spread evenly over ``seconds``; each failure retried on the schedule."""
    due: list[tuple[float, int, int]] = []  # (when, delivery, attempt)
    start = time.monotonic()
    for n in range(count):
        heapq.heappush(due, (start + n * seconds / count, n, 0))
    heap_lock, open_deliveries = threading.Lock(), [count]
    requests = [delivery(domain, n) for n in range(count)]
    client = httpx.Client(base_url=base, limits=httpx.Limits(max_connections=96))

    def attempt(n: int, tries: int) -> None:
        path, body, headers = requests[n]
        began = time.monotonic()
        try:
            status = client.post(path, content=body, headers=headers, timeout=ACK_LIMIT).status_code
        except httpx.TransportError:  # refused while the web restarts, or over 5 s
            status = 0
        took = time.monotonic() - began
        ok = 200 <= status < 300 and took <= ACK_LIMIT
        with sent.lock:
            sent.attempts += 1
            sent.ack_seconds.append(took)
            sent.over_5s += took > ACK_LIMIT
            if ok:
                sent.acked.add(n)
            elif tries >= len(RETRY_DELAYS):
                sent.given_up.add(n)
        with heap_lock:
            if ok or tries >= len(RETRY_DELAYS):
                open_deliveries[0] -= 1
            else:
                heapq.heappush(due, (time.monotonic() + RETRY_DELAYS[tries], n, tries + 1))

    with ThreadPoolExecutor(max_workers=64) as pool:
        while True:
            with heap_lock:
                if open_deliveries[0] == 0:
                    break
                ready = []
                while due and due[0][0] <= time.monotonic():
                    ready.append(heapq.heappop(due))
            for _, n, tries in ready:
                pool.submit(attempt, n, tries)
            time.sleep(0.005)
    client.close()


def chaos(worker: SupervisedWorker, redis: OwnRedis, web: Web, outage: float) -> None:
    """The run's bad minute: two worker kills, a Redis outage, a web restart."""
    steps = [
        (8, "SIGKILL the worker", worker.kill),
        (6, "stop Redis", redis.stop),
        (outage, "start Redis again", redis.start),
        (6, "restart the web process", web.restart),
        (6, "SIGKILL the worker", worker.kill),
    ]
    began = time.monotonic()
    for pause, what, step in steps:
        time.sleep(pause)
        sys.stderr.write(f"bench.chaos: {time.monotonic() - began:5.1f}s {what}\n")
        step()


def settle(engine: Engine, expected: int, timeout: float) -> None:
    """Wait until no delivery is left unprocessed and the orders stop coming (or timeout)."""
    deadline = time.monotonic() + timeout
    with Session(engine) as session:
        while time.monotonic() < deadline:
            waiting = session.scalar(
                select(func.count()).where(InboxDelivery.status == InboxStatus.RECEIVED)
            )
            orders = session.scalar(select(func.count()).select_from(Order)) or 0
            session.rollback()
            if not waiting and orders >= expected:
                return
            time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60.0, help="over which first tries go")
    parser.add_argument("--outage", type=float, default=20.0, help="seconds Redis is down")
    args = parser.parse_args()
    # A SIGTERM (bench.all's time limit, a timeout) unwinds through the finally below, which
    # stops the process groups this run started.
    # The forked store emulator inherits the handler; it just exits.
    main_pid = os.getpid()
    signal.signal(
        signal.SIGTERM,
        lambda *_: (
            sys.exit("bench.chaos: stopped by SIGTERM") if os.getpid() == main_pid else os._exit(0)
        ),
    )
    # The store's emulator answers what the schedule asks of it (token refresh, webhook
    # checks, reconciliation), so the shop stays connected through the run.
    _, seeder, store_app = shopify_emulator()
    store = seeder.shop("bench-chaos")
    seeder.static_token(store, TOKEN)
    redis = OwnRedis()
    redis.start()
    os.environ["REDIS_URL"] = redis.url
    try:
        with serve_forked(store_app) as store_url, bench_environment("chaos", 0) as (env, engine):
            env["RESHELF_SHOPIFY_API_URL"] = store_url
            with Session(engine) as session:
                shop = Shop(platform=Platform.SHOPIFY, domain=store.domain)
                shop.set_credentials(access_token=TOKEN, api_secret=SECRET)
                session.add(shop)
                session.commit()
            sent, counted, worker = run(env, engine, redis, store.domain, args)
            with Session(engine) as session:
                status = session.scalar(select(Shop.status))
    finally:
        redis.stop()
    print_figures(args.deliveries, sent, counted, worker, str(status))


def run(
    env: dict[str, str], engine: Engine, redis: OwnRedis, domain: str, args: argparse.Namespace
) -> tuple[Sent, dict[str, int], SupervisedWorker]:
    """Serve, work, send and break; stop the web and the worker (their database sessions
    hold the schema the run drops) before counting."""
    web = Web(env, log_file("web"))
    worker = SupervisedWorker(env, log_file("worker"))
    sent = Sent()
    try:
        web.start()
        worker.start()
        breaker = threading.Thread(target=chaos, args=(worker, redis, web, args.outage))
        breaker.start()
        send_all(web.base, domain, args.deliveries, args.seconds, sent)
        breaker.join()
        settle(engine, len(sent.acked), timeout=150)
    finally:
        worker.stop()
        web.stop()
    return sent, count(engine, sent), worker


def count(engine: Engine, sent: Sent) -> dict[str, int]:
    """From the database: acknowledged deliveries that are gone (neither mirrored nor still
    waiting to be), those still waiting when the run stopped, and effects twice."""
    with Session(engine) as session:
        mirrored = session.scalars(select(Order.platform_id)).all()
        stored = session.execute(select(InboxDelivery.webhook_id, InboxDelivery.status)).all()
        keys = session.scalar(select(func.count(func.distinct(InboxDelivery.dedupe_key)))) or 0
    waiting = {hook for hook, status in stored if status == InboxStatus.RECEIVED}
    orders = set(mirrored)
    gone = pending = 0
    for n in sent.acked:
        if f"gid://shopify/Order/{ORDER_BASE + n}" in orders:
            continue
        if f"chaos-{n}" in waiting:
            pending += 1  # stored, its job not run yet: late, not lost
        else:
            gone += 1
    return {
        "lost": gone,
        "pending": pending,
        "duplicated": (len(mirrored) - len(orders)) + (len(stored) - keys),
        "failed": sum(status == InboxStatus.FAILED for _, status in stored),
    }


def print_figures(
    total: int, sent: Sent, counted: dict[str, int], worker: SupervisedWorker, shop_status: str
) -> None:
    """The run's figures as JSON lines."""
    p99 = percentile(sent.ack_seconds, 99) * 1000
    worst = max(sent.ack_seconds, default=0) * 1000
    report(
        "chaos",
        "chaos.sent",
        total,
        "deliveries",
        attempts=sent.attempts,
        retry_delays_s=list(RETRY_DELAYS),
    )
    report("chaos", "chaos.acked", len(sent.acked), "deliveries", given_up=len(sent.given_up))
    report(
        "chaos",
        "chaos.lost",
        counted["lost"],
        "deliveries",
        target=0,
        pending_at_end=counted["pending"],
    )
    report("chaos", "chaos.duplicated", counted["duplicated"], "deliveries", target=0)
    report(
        "chaos",
        "chaos.acks_over_5s",
        sent.over_5s,
        "attempts",
        target=0,
        p99_ms=round(p99, 1),
        max_ms=round(worst, 1),
    )
    report(
        "chaos",
        "chaos.worker_restarts_by_hand",
        worker.by_hand,
        "restarts",
        target=0,
        kills=worker.kills,
    )
    report("chaos", "chaos.failed_deliveries", counted["failed"], "deliveries", shop=shop_status)


if __name__ == "__main__":
    main()
