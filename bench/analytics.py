"""Analytics at scale: every figure of ``core.analytics`` over 90 days of the largest shop.

Generates orders (one or two lines each), customers, returns with their lines and
settlements across 20 shops in a scratch PostgreSQL schema (the largest shop has a quarter
of everything), then times each figure function the app calls, and all of them together,
each for the period and the one before, as the analytics page asks for them. Baseline: a
``SELECT 1`` round trip on the same connection in the same run.

    DATABASE_URL=postgresql://127.0.0.1/test python -m bench.analytics [--orders N]

The default size runs in about a minute; issue 18's target is judged on the full size,
``--orders 1000000 --returns 200000`` (every query p95 ≤ 300 ms, the page ≤ 1 s).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

import core.models  # noqa: F401  (registers the tables)
from bench.common import percentile, report, scratch_schema
from core import analytics
from core.analytics import NO_FILTERS, Period
from core.db import Base

SHOPS = 20
LARGEST_SHOP = 1
VARIANTS_PER_SHOP = 40
NOW = datetime(2026, 6, 30, tzinfo=UTC)
# g → shop: every fourth row is the largest shop's, the rest spread over the other 19.
SHOP_OF = "CASE WHEN {g} % 4 = 0 THEN 1 ELSE 2 + {g} % 19 END"
# Rows whose ids agree modulo 76 (4 × 19) belong to the same shop.
SAME_SHOP_CYCLE = 76
# Pseudo-random, so that neither dates nor returns line up with shops: days before NOW an
# order was placed, and days from delivery to its return's request.
DAY = "abs(hashtext(g::text || 'day')) % 400"
DELAY = "abs(hashtext(o.id::text || 'delay')) % 20"

FIGURES: dict[str, Callable[..., Any]] = {
    "return_rate_by_product": analytics.return_rate_by_product,
    "return_rate_by_variant": analytics.return_rate_by_variant,
    "return_rate_by_collection": analytics.return_rate_by_collection,
    "return_rate_by_price_band": analytics.return_rate_by_price_band,
    "reasons_overall": analytics.reasons_overall,
    "reasons_by_product": analytics.reasons_by_product,
    "delivery_to_request": analytics.delivery_to_request,
    "processing_time": analytics.processing_time,
    "money": analytics.money,
    "repeat_returners": analytics.repeat_returners,
    "return_rate_by_segment": analytics.return_rate_by_segment,
    "return_rate_by_customer_tag": analytics.return_rate_by_customer_tag,
    "returns_by_country": analytics.returns_by_country,
    "trend": analytics.trend,
    "trend_weekly": partial(analytics.trend, step="week"),
}


def generate(engine: Engine, orders: int, returns: int) -> None:
    """Fill the schema with set-based SQL: seconds, not minutes."""
    Base.metadata.create_all(engine)
    customers = max(SAME_SHOP_CYCLE, orders // 4 // SAME_SHOP_CYCLE * SAME_SHOP_CYCLE)
    params = {
        "shops": SHOPS,
        "orders": orders,
        "every": max(1, orders // returns),
        "customers": customers,
        "cycle": SAME_SHOP_CYCLE,
        "variants": VARIANTS_PER_SHOP,
        "now": NOW,
    }
    statements = [
        "INSERT INTO shops (id, platform, domain, name, key, status, currency, scopes, settings,"
        " created_at, updated_at) SELECT g, 'shopify', 'bench-' || g || '.myshopify.com', '',"
        " 'k' || g, 'active', 'USD', '', '{}', now(), now() FROM generate_series(1, :shops) g",
        "INSERT INTO variants (id, shop_id, platform_id, product_platform_id, sku, title,"
        " product_title, price, tags, collections, tracks_inventory, created_at, updated_at)"
        " SELECT s * 100 + v, s, 'v' || v, 'p' || v / 4, 'SKU-' || v, 'Variant ' || v,"
        " 'Product ' || v / 4, 10 + (v * 37) % 190, '[]', jsonb_build_array('c' || v % 5), true,"
        " now(), now() FROM generate_series(1, :shops) s, generate_series(0, :variants - 1) v",
        "INSERT INTO customers (id, shop_id, platform_id, email, tags, orders_count, total_spent,"
        f" created_at, updated_at) SELECT g, {SHOP_OF.format(g='g')}, 'c' || g,"
        " 'c' || g || '@example.com', CASE WHEN g % 7 = 0 THEN '[\"vip\"]' ELSE '[]' END::jsonb,"
        " 0, 0, now(), now() FROM generate_series(0, :customers - 1) g",
        "INSERT INTO orders (id, shop_id, platform_id, number, name, email, customer_id, currency,"
        " subtotal, total, ordered_at, delivered_at, shipping_country, tags, payment_gateways,"
        f" platform_data, created_at, updated_at) SELECT g, {SHOP_OF.format(g='g')}, g::text,"
        " g::text, '#' || g, 'shopper' || g || '@example.com',"
        " CASE WHEN g % 5 = 0 THEN NULL ELSE g % :customers / :cycle * :cycle + g % :cycle END,"
        f" 'USD', 50, 50, CAST(:now AS timestamptz) - {DAY} * interval '1 day'"
        f" - (g % 24) * interval '1 hour', CAST(:now AS timestamptz) - GREATEST(0, {DAY} - 3)"
        " * interval '1 day', (ARRAY['US','DE','FR','GB','CA'])[1 + g % 5], '[]', '[]', '{}',"
        " now(), now() FROM generate_series(1, :orders) g",
        "INSERT INTO order_lines (shop_id, order_id, platform_id, variant_id, variant_platform_id,"
        " product_platform_id, sku, title, quantity, fulfilled_quantity, refunded_quantity,"
        " unit_price, discounted_unit_price, tax_lines, currency, final_sale, platform_data,"
        " created_at, updated_at) SELECT o.shop_id, o.id, 'l' || k, v.id, v.platform_id,"
        " v.product_platform_id, v.sku, v.title, 1 + o.id % 2, 1 + o.id % 2, 0, v.price,"
        " v.price, '[]', 'USD', false, '{}', now(), now() FROM orders o"
        " CROSS JOIN generate_series(0, 1) k"
        " JOIN variants v ON v.id = o.shop_id * 100 + (o.id * 7 + k) % :variants"
        " WHERE k = 0 OR o.id % 3 = 0",
        "INSERT INTO return_requests (id, shop_id, rma, order_id, customer_id, status, channel,"
        " email, country, locale, currency, refund_subtotal, fee_total, bonus_total,"
        " refund_total, free_shipping, decision, risk_reasons, platform_data, requested_at,"
        " approved_at, in_transit_at, received_at, graded_at, closed_at, created_at,"
        " updated_at) SELECT o.id, o.shop_id, 'B' || o.id, o.id, o.customer_id,"
        " (ARRAY['closed','closed','closed','approved','requested','rejected'])[1 + o.id % 6],"
        " (ARRAY['portal','shopify'])[1 + o.id % 2], o.email, o.shipping_country, 'en', 'USD',"
        f" 50, 0, 0, 50, false, '{{}}', '[]', '{{}}', o.delivered_at + {DELAY} * interval '1 day',"
        f" o.delivered_at + ({DELAY} + 1) * interval '1 day',"
        f" o.delivered_at + ({DELAY} + 2) * interval '1 day',"
        f" o.delivered_at + ({DELAY} + 5) * interval '1 day',"
        f" o.delivered_at + ({DELAY} + 6) * interval '1 day',"
        f" o.delivered_at + ({DELAY} + 8) * interval '1 day', now(), now()"
        " FROM orders o WHERE abs(hashtext(o.id::text)) % :every = 0"
        f" AND o.delivered_at + {DELAY} * interval '1 day' <= :now",
        "INSERT INTO return_lines (shop_id, return_id, order_line_id, quantity, reason_code,"
        " received_quantity, disposition, resolution, resolution_state, unit_amount, fee_amount,"
        " bonus_amount, currency, platform_data, created_at, updated_at)"
        " SELECT r.shop_id, r.id, l.id, 1,"
        " (ARRAY['too_small','too_big','damaged','not_as_described','changed_mind'])"
        "[1 + r.id % 5], 1, (ARRAY['restock','restock','restock','dispose'])[1 + r.id % 4],"
        " (ARRAY['refund','refund','store_credit','exchange'])[1 + r.id / 7 % 4], 'done',"
        " l.discounted_unit_price, 0, 0, 'USD', '{}', now(), now()"
        " FROM return_requests r JOIN order_lines l ON l.order_id = r.order_id"
        " AND l.platform_id = 'l0'",
        "INSERT INTO settlements (shop_id, return_id, kind, amount, fee, bonus, currency,"
        " idempotency_key, state, attempts, applied_at, created_at, updated_at)"
        " SELECT r.shop_id, r.id, rl.resolution, rl.unit_amount, 0, 0, 'USD', 'b' || r.id,"
        " 'applied', 1, r.closed_at, now(), now() FROM return_requests r"
        " JOIN return_lines rl ON rl.return_id = r.id WHERE r.status = 'closed'",
        "ANALYZE",
    ]
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def timed(samples: int, call: Callable[[], object]) -> list[float]:
    out = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--returns", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--days", type=int, default=90, help="the period timed, in days")
    args = parser.parse_args()
    with scratch_schema("reshelf_bench_analytics") as engine:
        started = time.perf_counter()
        generate(engine, args.orders, args.returns)
        report(
            "analytics",
            "analytics.generate_s",
            time.perf_counter() - started,
            "s",
            orders=args.orders,
            returns=args.returns,
        )
        period = Period.last(args.days, NOW)
        with Session(engine) as session:
            baseline = percentile(
                timed(args.samples * 5, lambda: session.execute(text("SELECT 1")).one()), 95
            )
            size = {"shop": LARGEST_SHOP, "days": args.days, "orders": args.orders}
            rates = analytics.return_rate_by_product(session, LARGEST_SHOP, period, NO_FILTERS)
            assert rates.units_returned > 0, "the generated period must hold returns"
            for name, figure in FIGURES.items():
                call = partial(figure, session, LARGEST_SHOP, period, NO_FILTERS)
                call()  # compile the statements and warm the cache before timing
                samples = timed(args.samples, call)
                report(
                    "analytics",
                    f"analytics.{name}_p95_ms",
                    percentile(samples, 95),
                    "ms",
                    baseline,
                    target=300,
                    **size,
                )
            # The page runs every figure twice; fewer rounds keep the default run near a minute.
            page = timed(max(3, args.samples // 3), lambda: _page(session, period))
            report(
                "analytics",
                "analytics.page_p95_ms",
                percentile(page, 95),
                "ms",
                baseline,
                target=1000,
                note="every figure's queries for the period and the one before, no rendering",
                **size,
            )


def _page(session: Session, period: Period) -> None:
    for figure in FIGURES.values():
        analytics.compare(figure, session, LARGEST_SHOP, period)


if __name__ == "__main__":
    main()
