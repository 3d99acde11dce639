"""Queries at scale: the portal's order lookup and the desk's list over 1M orders.

Generates 1,000,000 orders and 200,000 returns across 20 shops in a scratch PostgreSQL
schema, then times ``core.queries`` (the functions the app calls) and prints the plan PostgreSQL
chooses for those very statements, with the indexes it uses. Baseline: a ``SELECT 1``
round trip on the same connection in the same run.

    DATABASE_URL=postgresql://127.0.0.1/test python -m bench.queries [--orders N]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, Select, text
from sqlalchemy.orm import Session

import core.models  # noqa: F401  (registers the tables)
from bench.common import percentile, report, scratch_schema
from core.db import Base
from core.enums import ReturnStatus
from core.queries import desk_page, desk_query, find_order_for_shopper, order_lookup

SHOPS = 20
STATUSES = [s.value for s in ReturnStatus]


def generate(engine: Engine, orders: int, returns: int) -> None:
    """Fill the schema with set-based SQL: seconds, not minutes."""
    Base.metadata.create_all(engine)
    statuses = "ARRAY[" + ",".join(f"'{s}'" for s in STATUSES) + "]"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO shops (platform, domain, name, key, status, currency, scopes,"
                " settings, created_at, updated_at)"
                " SELECT 'shopify', 'bench-' || g || '.myshopify.com', '', 'k' || g,"
                " 'active', 'USD', '', '{}', now(), now() FROM generate_series(1, :n) g"
            ),
            {"n": SHOPS},
        )
        conn.execute(
            text(
                "INSERT INTO orders (shop_id, platform_id, number, name, email, currency, subtotal,"
                " total, ordered_at, tags, payment_gateways, platform_data, created_at, updated_at)"
                " SELECT 1 + g % :shops, g::text, (1000 + g / :shops)::text,"
                " '#' || (1000 + g / :shops), 'Shopper' || g || '@example.com', 'USD', 10, 10,"
                " now() - (g % 400) * interval '1 day', '[]', '[]', '{}', now(), now()"
                " FROM generate_series(1, :n) g"
            ),
            {"n": orders, "shops": SHOPS},
        )
        conn.execute(
            text(
                "INSERT INTO return_requests (shop_id, rma, order_id, status, channel, email,"
                " locale, currency, refund_subtotal, fee_total, bonus_total, refund_total,"
                " free_shipping, decision, platform_data, requested_at, created_at, updated_at)"
                f" SELECT o.shop_id, 'B' || o.id, o.id,"
                f" ({statuses})[1 + (o.id / :shops) % {len(STATUSES)}],"
                " 'portal', o.email, 'en', 'USD', 10, 0, 0, 10, false, '{}', '{}', now(),"
                " now() - (o.id % 9000) * interval '1 hour', now()"
                # Every shop gets its share: pick by order number, not by id.
                " FROM orders o WHERE (o.id / :shops) % (:orders / :returns) = 0"
            ),
            {"orders": orders, "returns": returns, "shops": SHOPS},
        )
        conn.execute(text("ANALYZE"))


def timed(samples: int, call: Callable[[random.Random], object]) -> list[float]:
    rng = random.Random(11)
    out = []
    for _ in range(samples):
        started = time.perf_counter()
        call(rng)
        out.append((time.perf_counter() - started) * 1000)
    return out


def explain(session: Session, statement: Select[*tuple[Any, ...]]) -> tuple[list[str], str]:
    """The indexes PostgreSQL's plan for ``statement`` uses, and the plan itself."""
    sql = statement.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {sql}")))
    used = sorted(set(re.findall(r"Index (?:Only )?Scan(?: Backward)? using (\w+)", plan)))
    return used, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--returns", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()
    with scratch_schema("reshelf_bench_queries") as engine:
        started = time.perf_counter()
        generate(engine, args.orders, args.returns)
        report(
            "queries",
            "queries.generate_s",
            time.perf_counter() - started,
            "s",
            orders=args.orders,
            returns=args.returns,
        )
        per_shop = args.orders // SHOPS
        with Session(engine) as session:
            base = timed(args.samples, lambda rng: session.execute(text("SELECT 1")).one())
            lookup = timed(args.samples, lambda rng: _lookup(session, rng, per_shop))
            desk = timed(args.samples, lambda rng: _desk(session, rng))
            baseline = percentile(base, 95)
            lookup_indexes, lookup_plan = explain(
                session, order_lookup(3, f"#{1000 + per_shop // 2}", "shopper@example.com")
            )
            desk_indexes, desk_plan = explain(session, desk_query(3, ReturnStatus.APPROVED))
            report(
                "queries",
                "queries.lookup_p95_ms",
                percentile(lookup, 95),
                "ms",
                baseline,
                target=50,
                indexes=lookup_indexes,
                plan=lookup_plan,
            )
            report(
                "queries",
                "queries.desk_list_p95_ms",
                percentile(desk, 95),
                "ms",
                baseline,
                target=50,
                indexes=desk_indexes,
                plan=desk_plan,
            )


def _desk(session: Session, rng: random.Random) -> None:
    desk_page(session, rng.randrange(1, SHOPS + 1), ReturnStatus(rng.choice(STATUSES)))


def _lookup(session: Session, rng: random.Random, per_shop: int) -> None:
    g = rng.randrange(SHOPS, per_shop * SHOPS)
    found = find_order_for_shopper(
        session, 1 + g % SHOPS, f"#{1000 + g // SHOPS}", f"shopper{g}@EXAMPLE.com"
    )
    assert found is not None, "the generated order must be found"


if __name__ == "__main__":
    main()
