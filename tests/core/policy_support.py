"""Build policy contexts for the engine's tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from core.policy import LineContext, OrderContext

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def line(**kw: Any) -> LineContext:
    base = LineContext(
        line_id=kw.pop("line_id", 1),
        sku="TEE-RED-M",
        unit_price=Decimal("40.00"),
        discounted_unit_price=Decimal("40.00"),
        product_tags=frozenset({"summer"}),
        product_type="shirts",
        collections=frozenset({"tees"}),
    )
    return replace(base, **kw)


def order(*lines: LineContext, delivered_days_ago: int | None = 5, **kw: Any) -> OrderContext:
    delivered = NOW - timedelta(days=delivered_days_ago) if delivered_days_ago is not None else None
    base = OrderContext(
        order_id=1,
        number="1001",
        currency="USD",
        ordered_at=NOW - timedelta(days=40),
        fulfilled_at=NOW - timedelta(days=20),
        delivered_at=delivered,
        shipping_country="de",
        customer_tags=frozenset({"vip"}),
        customer_order_count=3,
        customer_lifetime_spend=Decimal("250.00"),
        lines=lines or (line(),),
    )
    return replace(base, **kw)
