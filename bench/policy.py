"""Policy engine throughput: line decisions per second under a 30-rule policy.

The baseline is the shipped two-rule default policy on the same orders in the same run,
so the ratio says what 28 more rules cost, whatever the machine's mood.

    python -m bench.policy
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bench.common import report
from core.policy import CompiledPolicy, LineContext, OrderContext, compile_policy, evaluate
from core.policy.defaults import DEFAULT_RULES

NOW = datetime(2026, 6, 15, tzinfo=UTC)
TAGS = ["summer", "winter", "sale", "new", "basics", "premium", "gift", "outlet"]


def thirty_rules() -> list[dict[str, object]]:
    """28 specific rules that mostly miss, then the default two: a realistic worst case."""
    rules: list[dict[str, object]] = []
    for i in range(28):
        shapes: dict[int, dict[str, object]] = {
            0: {"product_tags": {"any": [f"campaign-{i}"]}},
            1: {"skus": {"any": [f"LTD-{i}-*"]}},
            2: {"shipping_country": {"any": ["br", "ar"]}, "price": {"min": 500 + i}},
            3: {"customer_tags": {"any": [f"tier-{i}"]}, "days_since_delivery": {"max": 60}},
        }
        when = shapes[i % 4]
        rules.append({"name": f"rule {i}", "when": when, "then": {"window_days": 30 + i}})
    return rules + DEFAULT_RULES


def make_orders(count: int, lines_per_order: int, seed: int = 7) -> list[OrderContext]:
    rng = random.Random(seed)
    orders = []
    for n in range(count):
        lines = tuple(
            LineContext(
                line_id=n * 100 + i,
                sku=f"SKU-{rng.randrange(10_000)}",
                unit_price=Decimal(rng.randrange(5, 300)),
                discounted_unit_price=Decimal(rng.randrange(5, 300)),
                final_sale=rng.random() < 0.05,
                product_tags=frozenset(rng.sample(TAGS, 2)),
                product_type="shirts",
                collections=frozenset({"tees"}),
            )
            for i in range(lines_per_order)
        )
        orders.append(
            OrderContext(
                order_id=n,
                number=str(1000 + n),
                currency="USD",
                ordered_at=NOW - timedelta(days=rng.randrange(1, 50)),
                delivered_at=NOW - timedelta(days=rng.randrange(0, 40)),
                shipping_country=rng.choice(["us", "de", "fr", "kr"]),
                customer_tags=frozenset({"vip"} if rng.random() < 0.1 else ()),
                lines=lines,
            )
        )
    return orders


def lines_per_second(policy: CompiledPolicy, orders: list[OrderContext], seconds: float) -> float:
    """Decide every line of every order, repeatedly, for about ``seconds``."""
    decided, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for order in orders:
            decided += len(evaluate(policy, order, NOW))
    return decided / elapsed


def main() -> None:
    heavy = compile_policy(thirty_rules())
    light = compile_policy(DEFAULT_RULES)
    worst = 0.0
    for size in (1, 10, 50):
        orders = make_orders(max(1, 2000 // size), size)
        baseline = lines_per_second(light, orders, 1.0)
        value = lines_per_second(heavy, orders, 2.0)
        worst = value if not worst else min(worst, value)
        report("policy", f"policy.lines_per_s.{size}_lines", value, "lines/s", baseline)
    report(
        "policy",
        "policy.lines_per_s",
        worst,
        "lines/s",
        target=20_000,
        note="slowest of the three order sizes, 30 rules",
    )


if __name__ == "__main__":
    main()
