"""Neutral mirror records (``core.mirror_batch``) for tests, with as little ceremony as possible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from core.mirror_batch import LineRecord, OrderRecord

T0 = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def line_record(pid: str, variant: str | None = "gid://v/1", quantity: int = 2) -> LineRecord:
    """A line of ``quantity`` units of ``variant`` at 20.00, 17.50 after discounts."""
    return LineRecord(
        platform_id=pid,
        variant_platform_id=variant,
        sku="SKU-1",
        title="Tee",
        quantity=quantity,
        unit_price=Decimal("20.00"),
        discounted_unit_price=Decimal("17.5"),
    )


def order_record(pid: str, updated: datetime = T0, **kw: object) -> OrderRecord:
    """A paid two-line order last changed at ``updated``; ``kw`` overrides any field."""
    fields: dict[str, object] = dict(
        platform_id=pid,
        number=pid,
        name=f"#{pid}",
        email="ann@example.com",
        currency="EUR",
        total=Decimal("40.00"),
        subtotal=Decimal("40.00"),
        financial_status="paid",
        fulfillment_status=None,
        ordered_at=T0 - timedelta(days=1),
        platform_updated_at=updated,
        shipping_country="DE",
        channel="shopify",
        lines=[line_record(f"{pid}-1"), line_record(f"{pid}-2")],
    )
    return OrderRecord(**{**fields, **kw})  # type: ignore[arg-type]
