"""Backfill: 50,000 orders from each emulator, paced by the platform's own limits.

Each emulator is seeded, then forked into its own process (``serve_forked``), so the time
and the memory measured are Reshelf's alone.

1. Shopify by paginated GraphQL on the Standard plan's bucket. Time runs ``--scale``
   times faster than the plan (restore rate scaled, bucket size kept), so the run fits in
   minutes; the ratio to the budget (points spent over points the bucket offered during
   the run) does not depend on the scale as long as neither side is the bottleneck, which
   holds up to about x80 on two cores. Orders/s are reported at the plan's own speed.
2. The same shop by a bulk operation: the JSONL file streamed into PostgreSQL; the ingest
   rate counts from the first byte of the file (the wait for Shopify to build it is
   reported apart), and the process's memory growth at 20% and at 100% of the orders.
3. WooCommerce at 100 orders a page; baseline: reading the same pages without writing.

    DATABASE_URL=postgresql://127.0.0.1/test python -m bench.backfill [--orders 50000]
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from typing import Any

import httpx
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from bench.common import report
from bench.emulators import (
    compress_time,
    seed_shopify_orders,
    serve_forked,
    shopify_emulator,
    woocommerce_store,
)
from bench.services import bench_environment
from connectors.shopify.connector import ShopifyConnector
from connectors.woocommerce import install as woo_install
from connectors.woocommerce.client import WooClient
from connectors.woocommerce.connector import WooCommerceConnector
from core.clock import SystemClock
from core.enums import Platform
from core.models import Order, Shop
from sandbox.shopify import emulator_client
from sandbox.shopify.cost import RESTORE_RATES

TOKEN = "shpat_bench"


class CostMeter:
    """Sums ``extensions.cost.actualQueryCost`` of every GraphQL answer the client reads."""

    def __init__(self) -> None:
        self.spent = 0.0

    def hook(self, response: httpx.Response) -> None:
        if response.request.url.path.endswith("graphql.json"):
            response.read()
            cost = (json.loads(response.content).get("extensions") or {}).get("cost") or {}
            self.spent += float(cost.get("actualQueryCost") or 0)


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def shopify(engine: Any, orders: int, scale: float) -> None:
    emulator, seeder, app = shopify_emulator()
    started = time.perf_counter()
    store = seed_shopify_orders(seeder, "bench-backfill", orders, TOKEN)
    report("backfill", "backfill.seed_s", time.perf_counter() - started, "s", orders=orders)
    compress_time(store, "standard", scale)
    with serve_forked(app) as url, Session(engine) as session:
        shop = Shop(platform=Platform.SHOPIFY, domain=store.domain)
        shop.set_credentials(access_token=TOKEN)
        session.add(shop)
        session.commit()
        meter = CostMeter()
        client = emulator_client(url)
        client.event_hooks["response"].append(meter.hook)
        connector = ShopifyConnector(shop, http_client=client)
        started = time.perf_counter()
        result = connector.sync(session, "orders", full=True, clock=SystemClock())
        elapsed = time.perf_counter() - started
        offered = store.bucket.maximum + store.bucket.restore_rate * elapsed
        per_order = meter.spent / result.fetched
        plan_rate = result.fetched / elapsed / scale  # orders/s on the real plan
        most = RESTORE_RATES["standard"] / per_order  # what the restore rate alone allows
        report(
            "backfill",
            "backfill.paginated_orders_per_s",
            plan_rate,
            "orders/s",
            most,
            plan="standard",
            time_scale=scale,
            points_per_order=round(per_order, 1),
            compressed_orders_per_s=round(plan_rate * scale),
            seconds=round(elapsed, 1),
            points_spent=meter.spent,
            points_offered=round(offered),
        )
        report("backfill", "backfill.ratio_to_budget", meter.spent / offered, "ratio", target=0.9)
        session.execute(delete(Order).where(Order.shop_id == shop.id))
        session.commit()
        # The delete leaves an index entry per deleted row, under the very keys the bulk
        # inserts next, each checked against the table until a vacuum clears them (about a
        # minute later, by autovacuum). A shop's first bulk backfill writes into no such
        # debris, so the benchmark does not either.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE orders, order_lines"))
        bulk(session, connector, client, orders)


def bulk(session: Session, connector: ShopifyConnector, client: httpx.Client, orders: int) -> None:
    base, peak, at_fifth = rss_mib(), [0.0], [0.0]
    done = threading.Event()
    download: list[float] = []
    client.event_hooks["request"].append(
        lambda request: (
            download.append(time.perf_counter()) if "/_sandbox/" in request.url.path else None
        )
    )

    def sample() -> None:
        while not done.wait(0.05):
            growth = rss_mib() - base
            peak[0] = max(peak[0], growth)
            if not at_fifth[0] and written() >= orders // 5:
                at_fifth[0] = peak[0]

    def written() -> int:
        with Session(session.get_bind()) as other:
            return other.scalar(select(func.count()).select_from(Order)) or 0

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    result = connector.bulk_backfill(session, SystemClock())
    ended = time.perf_counter()
    done.set()
    sampler.join()
    report(
        "backfill",
        "backfill.bulk_orders_per_s",
        result.fetched / (ended - download[0]),
        "orders/s",
        target=5000,
        orders=result.fetched,
        note="from the file's first byte to the last commit",
    )
    report(
        "backfill",
        "backfill.bulk_total_orders_per_s",
        result.fetched / (ended - started),
        "orders/s",
        waited_for_file_s=round(download[0] - started, 1),
    )
    report(
        "backfill",
        "backfill.bulk_peak_mib",
        peak[0],
        "MiB",
        at_fifth[0] or None,
        note="RSS growth at the end vs at 20% of the orders; flat is ratio near 1",
    )


def woocommerce(engine: Any, orders: int) -> None:
    app, emulator = woocommerce_store(orders)
    key, secret = emulator.store.create_api_key("read_write")
    emulator.dispatcher.stop()  # no webhooks: nothing would listen to them
    with serve_forked(app) as url, Session(engine) as session:
        client = WooClient(url, key, secret, timeout=60)
        started = time.perf_counter()
        # Baseline: the same pages, fetched and parsed, nothing written.
        fetched = sum(len(page.items) for _, page in client.pages("orders"))
        baseline = fetched / (time.perf_counter() - started)
        shop = woo_install.save_shop(session, url, key, secret, SystemClock())
        connector = WooCommerceConnector(shop, client=client)
        started = time.perf_counter()
        result = connector.sync(session, "orders", full=True, clock=SystemClock())
        rate = result.fetched / (time.perf_counter() - started)
    report(
        "backfill",
        "backfill.woocommerce_orders_per_s",
        rate,
        "orders/s",
        baseline,
        orders=result.fetched,
        per_page=100,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--scale", type=float, default=80.0, help="time compression")
    parser.add_argument("--only", choices=["shopify", "woocommerce"])
    args = parser.parse_args()
    with bench_environment("backfill") as (_env, engine):
        if args.only != "woocommerce":
            shopify(engine, args.orders, args.scale)
        if args.only != "shopify":
            woocommerce(engine, args.orders)


if __name__ == "__main__":
    main()
