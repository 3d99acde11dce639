"""Neutral records of orders, lines and customers, as any store's payload describes them.

``None`` means "the payload does not say": on update the stored value stays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass
class CustomerRecord:
    """A customer as a store payload describes it."""

    platform_id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    tags: list[str] | None = None
    country: str | None = None
    currency: str | None = None
    orders_count: int | None = None
    total_spent: Decimal | None = None
    platform_updated_at: datetime | None = None
    # False: the order only sketches its buyer; create the customer if missing, never update.
    refresh: bool = True


@dataclass
class LineRecord:
    """One order line; prices per unit, in the order's currency."""

    platform_id: str
    variant_platform_id: str | None
    sku: str | None
    title: str
    quantity: int
    unit_price: Decimal
    discounted_unit_price: Decimal
    refunded_quantity: int = 0
    product_platform_id: str | None = None
    fulfilled_quantity: int | None = None
    tax_lines: list[dict[str, Any]] | None = None


@dataclass
class OrderRecord:
    """An order as a store payload describes it."""

    platform_id: str
    number: str
    name: str
    email: str | None
    currency: str
    total: Decimal
    subtotal: Decimal
    financial_status: str | None
    fulfillment_status: str | None
    ordered_at: datetime
    platform_updated_at: datetime | None
    shipping_country: str | None
    channel: str
    lines: list[LineRecord] = field(default_factory=list)
    customer: CustomerRecord | None = None
    store_status: str | None = None
    fulfilled_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None
    tags: list[str] | None = None
    payment_gateways: list[str] | None = None
    platform_data: dict[str, Any] | None = None
