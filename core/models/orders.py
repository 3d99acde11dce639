"""Customers and orders as mirrored from the store."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Timestamped
from core.db.types import JSONType, Money, UTCDateTime
from core.models._columns import shop_fk


class Customer(Base, Timestamped):
    """A shopper of one shop; anonymised in place when the store asks for redaction."""

    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("shop_id", "platform_id"),
        Index("ix_customers_shop_email", "shop_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk(index=False)  # served by the unique key
    platform_id: Mapped[str] = mapped_column(String(128))
    email: Mapped[str | None] = mapped_column(String(320))
    first_name: Mapped[str | None] = mapped_column(String(255))
    last_name: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    orders_count: Mapped[int] = mapped_column(default=0)
    total_spent: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    currency: Mapped[str | None] = mapped_column(String(3))
    country: Mapped[str | None] = mapped_column(String(2))
    # Merchant's allow/block list: "allow" skips review, "block" sends every request to review.
    list_status: Mapped[str | None] = mapped_column(String(16))
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    platform_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Order(Base, Timestamped):
    """An order as the store last told us; ``platform_updated_at`` guards against stale news."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("shop_id", "platform_id"),
        Index("ix_orders_shop_number", "shop_id", "number"),
        Index("ix_orders_shop_updated", "shop_id", "platform_updated_at"),
        # Analytics count a shop's sales by the day they were placed.
        Index("ix_orders_shop_ordered", "shop_id", "ordered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk(index=False)  # served by the unique key
    platform_id: Mapped[str] = mapped_column(String(128))
    # What the shopper types ("1001"); ``name`` is what the store shows ("#1001").
    number: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    financial_status: Mapped[str | None] = mapped_column(String(32))
    fulfillment_status: Mapped[str | None] = mapped_column(String(32))
    # The store's own order status (WooCommerce "processing", "completed", our plugin's ones).
    store_status: Mapped[str | None] = mapped_column(String(64))
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shipping_country: Mapped[str | None] = mapped_column(String(2))
    channel: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    payment_gateways: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Ids only one platform needs (Shopify fulfilment ids, WooCommerce meta), kept verbatim.
    platform_data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    platform_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    customer: Mapped[Customer | None] = relationship()


class OrderLine(Base, Timestamped):
    """One line of an order; prices are per unit after every discount."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "platform_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    # The unique (order_id, platform_id) serves lookups and the cascade by order.
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    platform_id: Mapped[str] = mapped_column(String(128))
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("variants.id", ondelete="SET NULL"), index=True
    )
    variant_platform_id: Mapped[str | None] = mapped_column(String(128))
    product_platform_id: Mapped[str | None] = mapped_column(String(128))
    sku: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[int]
    fulfilled_quantity: Mapped[int] = mapped_column(default=0)
    # Units refunded on the store *outside* Reshelf returns (connectors leave ours out),
    # so that returnable = quantity - refunded_quantity - units in open returns.
    refunded_quantity: Mapped[int] = mapped_column(default=0)
    unit_price: Mapped[Decimal] = mapped_column(Money())
    discounted_unit_price: Mapped[Decimal] = mapped_column(Money())
    # Tax per rate for the whole line: [{"rate_id": "...", "amount": "1.20"}].
    tax_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    currency: Mapped[str] = mapped_column(String(3))
    final_sale: Mapped[bool] = mapped_column(default=False)
    platform_data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    order: Mapped[Order] = relationship(back_populates="lines")

    @property
    def discounted(self) -> bool:
        """True when the shopper paid less than the list price."""
        return self.discounted_unit_price < self.unit_price
