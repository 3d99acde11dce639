"""What the engine knows of an order and its lines: plain values, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class LineContext:
    """One order line as the rules see it."""

    line_id: int
    sku: str | None
    unit_price: Decimal
    discounted_unit_price: Decimal
    final_sale: bool = False
    product_tags: frozenset[str] = frozenset()
    product_type: str | None = None
    collections: frozenset[str] = frozenset()
    reason: str | None = None

    @property
    def discounted(self) -> bool:
        return self.discounted_unit_price < self.unit_price


@dataclass(frozen=True, slots=True)
class OrderContext:
    """The order around the lines, and the shopper who placed it."""

    order_id: int
    number: str
    currency: str
    ordered_at: datetime
    lines: tuple[LineContext, ...]
    fulfilled_at: datetime | None = None
    delivered_at: datetime | None = None
    shipping_country: str | None = None
    customer_tags: frozenset[str] = frozenset()
    customer_order_count: int = 0
    customer_lifetime_spend: Decimal = Decimal(0)
    # The return's risk score (core/services/risk.py) when one is being requested, else 0.
    risk_score: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def window_start(self) -> datetime:
        """When the return window opens: delivery, else fulfilment, else the order."""
        return self.delivered_at or self.fulfilled_at or self.ordered_at

    def window_start_label(self) -> str:
        if self.delivered_at:
            return "delivery"
        return "fulfilment" if self.fulfilled_at else "the order date"

    def days_since_window_start(self, now: datetime) -> int:
        return (now - self.window_start).days
