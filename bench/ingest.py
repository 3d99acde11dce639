"""Webhook ingest: signed Shopify ``orders/create`` deliveries against a bare endpoint.

gunicorn serves Reshelf on PostgreSQL and Redis; a threaded generator posts deliveries,
each with its own ``X-Shopify-Webhook-Id``, first as fast as answers come (throughput),
then at a steady 500/s (p99). The same deliveries go to a bare endpoint and to a
raw-INSERT "floor" endpoint in the same server (see ``bench.ingest_app``), so the three
differ only in what the server does with them. The three alternate in short rounds, and
each throughput is over all its rounds: this machine's speed drifts by a third within a
minute, and a ratio of two figures taken a minute apart measured the drift. Afterwards the
inbox is counted: every 200 must be one stored row, none lost, none twice.

    DATABASE_URL=postgresql://127.0.0.1/test REDIS_URL=redis://127.0.0.1:6379/0 \\
        python -m bench.ingest [--seconds 8]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.common import percentile, report
from bench.load import LoadResult, RequestMaker, closed_loop, open_loop
from bench.services import bench_environment, gunicorn
from core.enums import Platform
from core.models import InboxDelivery, Shop

DOMAIN = "bench-ingest.myshopify.com"
SECRET = "bench-webhook-secret"


def order_body() -> bytes:
    """An orders/create body of realistic size (about 6 KB, like Shopify's sample)."""
    line = {
        "id": 1,
        "variant_id": 2,
        "product_id": 3,
        "title": "Tee",
        "quantity": 1,
        "price": "20.00",
        "sku": "TEE-1",
        "properties": [],
        "tax_lines": [],
        "discount_allocations": [],
    }
    body = {
        "id": 820982911946154508,
        "admin_graphql_api_id": "gid://shopify/Order/1",
        "name": "#1001",
        "email": "jon@example.com",
        "currency": "USD",
        "created_at": "2026-06-01T10:00:00-04:00",
        "updated_at": "2026-06-01T10:00:00-04:00",
        "line_items": [dict(line, id=i) for i in range(12)],
        "tags": "",
        "shipping_address": {"country_code": "US"},
        "note": "x" * 1500,
    }
    return json.dumps(body).encode()


def maker(body: bytes, ids: list[str], path: str = "/webhooks/shopify") -> RequestMaker:
    """Signed deliveries of ``body`` to ``path``, each with a new webhook id (kept in ``ids``)."""
    signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()

    def make(n: int) -> tuple[str, bytes, dict[str, str]]:
        webhook_id = str(uuid.uuid4())
        ids.append(webhook_id)
        return (
            path,
            body,
            {
                "Content-Type": "application/json",
                "X-Shopify-Topic": "orders/create",
                "X-Shopify-Shop-Domain": DOMAIN,
                "X-Shopify-Hmac-Sha256": signature,
                "X-Shopify-Webhook-Id": webhook_id,
                "X-Shopify-API-Version": "2026-04",
                "X-Shopify-Triggered-At": "2026-06-01T14:00:00Z",
            },
        )

    return make


def summary(result: LoadResult) -> dict[str, float]:
    return {
        "rps": result.throughput,
        "p50": percentile(result.latencies_ms, 50),
        "p99": percentile(result.latencies_ms, 99),
    }


def alternated(
    base: str, makers: dict[str, RequestMaker], concurrency: int, seconds: float, rounds: int
) -> tuple[dict[str, LoadResult], dict[str, list[float]]]:
    """Closed loops of each maker in turn, ``rounds`` times; every run's requests pooled per
    maker, and each round's throughput per maker."""
    pooled = {name: LoadResult() for name in makers}
    per_round: dict[str, list[float]] = {name: [] for name in makers}
    for _ in range(rounds):
        for name, make in makers.items():
            run = closed_loop(base, make, concurrency, seconds / rounds)
            per_round[name].append(run.throughput)
            pooled[name].latencies_ms += run.latencies_ms
            pooled[name].elapsed_s += run.elapsed_s
            for status, count in run.statuses.items():
                pooled[name].statuses[status] = pooled[name].statuses.get(status, 0) + count
    return pooled, per_round


def round_range(per_round: dict[str, list[float]], name: str, baseline: str) -> list[float]:
    """The lowest and highest of the rounds' ratios of ``name``'s throughput to ``baseline``'s."""
    ratios = [a / b for a, b in zip(per_round[name], per_round[baseline], strict=True)]
    return [round(min(ratios), 3), round(max(ratios), 3)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="per endpoint, all rounds")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, default=500.0)
    args = parser.parse_args()
    with bench_environment("ingest") as (env, engine):
        with Session(engine) as session:
            shop = Shop(platform=Platform.SHOPIFY, domain=DOMAIN)
            shop.set_credentials(api_secret=SECRET)
            session.add(shop)
            session.commit()
        with gunicorn("bench.ingest_app:app", env) as base:
            ids: list[str] = []
            body = order_body()
            makers = {
                "bare": maker(body, [], "/bench/bare"),
                "floor": maker(body, [], "/bench/floor"),
                "ingest": maker(body, ids),
            }
            for name in ("bare", "floor"):  # every worker warmed on every path
                closed_loop(base, makers[name], args.concurrency, 1.0)
            warm = closed_loop(base, makers["ingest"], args.concurrency, 1.0)  # counted below
            runs, per_round = alternated(base, makers, args.concurrency, args.seconds, args.rounds)
            steady_run = open_loop(base, makers["ingest"], args.rate, args.seconds)
        ingest_run = runs["ingest"]
        bare, floor = summary(runs["bare"]), summary(runs["floor"])
        ingest, steady = summary(ingest_run), summary(steady_run)
        ok = sum(run.statuses.get(200, 0) for run in (warm, ingest_run, steady_run))
        with Session(engine) as session:
            mine = InboxDelivery.webhook_id.is_not(None)  # the floor's rows have none
            rows = session.scalar(select(func.count()).where(mine)) or 0
            distinct = session.scalar(select(func.count(func.distinct(InboxDelivery.webhook_id))))
    report(
        "ingest", "ingest.bare_rps", bare["rps"], "req/s", p50_ms=bare["p50"], p99_ms=bare["p99"]
    )
    report(
        "ingest",
        "ingest.rps",
        ingest["rps"],
        "req/s",
        p50_ms=ingest["p50"],
        p99_ms=ingest["p99"],
        statuses=ingest_run.statuses,
    )
    report(
        "ingest",
        "ingest.floor_rps",
        floor["rps"],
        "req/s",
        bare["rps"],
        p50_ms=floor["p50"],
        p99_ms=floor["p99"],
        round_range=round_range(per_round, "floor", "bare"),
        note="one raw INSERT of the body, nothing else",
    )
    report(
        "ingest",
        "ingest.ratio_to_bare",
        ingest["rps"],
        "req/s",
        bare["rps"],
        target=0.5,
        rounds=args.rounds,
        round_range=round_range(per_round, "ingest", "bare"),
    )
    report(
        "ingest",
        "ingest.ratio_to_floor",
        ingest["rps"],
        "req/s",
        floor["rps"],
        round_range=round_range(per_round, "ingest", "floor"),
    )
    report(
        "ingest",
        "ingest.p99_ms_at_500",
        steady["p99"],
        "ms",
        bare["p99"],
        target=50,
        p50_ms=steady["p50"],
        achieved_rps=steady["rps"],
        statuses=steady_run.statuses,
    )
    report(
        "ingest",
        "ingest.lost",
        ok - rows,
        "deliveries",
        sent=len(ids),
        acknowledged=ok,
        stored=rows,
    )
    report("ingest", "ingest.duplicated", rows - (distinct or 0), "deliveries")


if __name__ == "__main__":
    main()
