"""Write neutral Shopify records into the mirror, idempotently and never backwards in time.

An update older than what the mirror holds (``updated_at`` earlier than the stored
``platform_updated_at``) is skipped: webhooks arrive out of order and twice
(https://shopify.dev/docs/apps/build/webhooks/best-practices).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from connectors.shopify.mapping import CustomerData, LineData, OrderData
from core.enums import ResolutionState
from core.models import Customer, Location, Order, OrderLine, ReturnLine, Shop, Variant

FINAL_SALE_TAG = "final-sale"


def _stale(stored: datetime | None, incoming: datetime | None) -> bool:
    return stored is not None and incoming is not None and incoming < stored


def upsert_customer(session: Session, shop: Shop, data: CustomerData) -> Customer | None:
    """Create or update a customer; None when the update is stale."""
    customer = session.scalars(
        select(Customer).where(
            Customer.shop_id == shop.id, Customer.platform_id == data.platform_id
        )
    ).one_or_none()
    if customer is None:
        customer = Customer(shop_id=shop.id, platform_id=data.platform_id)
        session.add(customer)
    elif _stale(customer.platform_updated_at, data.updated_at) or customer.redacted_at:
        return customer if customer.redacted_at else None
    customer.email, customer.first_name, customer.last_name = (
        data.email,
        data.first_name,
        data.last_name,
    )
    customer.phone, customer.tags = data.phone, data.tags
    customer.currency = shop.currency
    if data.orders_count is not None:
        customer.orders_count = data.orders_count
    if data.total_spent is not None:
        customer.total_spent = data.total_spent
    customer.platform_updated_at = data.updated_at or customer.platform_updated_at
    return customer


@dataclass
class Known:
    """Rows already loaded for a batch of writes, so each write needs no lookup query."""

    variants: dict[str, Variant] = field(default_factory=dict)
    orders: dict[str, Order] | None = None  # None: look each order up

    @classmethod
    def for_orders(cls, session: Session, shop: Shop, platform_ids: list[str]) -> Known:
        """The shop's variants and these orders (with their lines), loaded in two queries."""
        variants = session.scalars(select(Variant).where(Variant.shop_id == shop.id))
        orders = session.scalars(
            select(Order)
            .where(Order.shop_id == shop.id, Order.platform_id.in_(platform_ids))
            .options(selectinload(Order.lines))
        )
        return cls({v.platform_id: v for v in variants}, {o.platform_id: o for o in orders})


def variant_by_platform_id(
    session: Session,
    shop: Shop,
    platform_id: str,
    sku: str | None,
    title: str,
    known: Known | None = None,
) -> Variant:
    """The mirrored variant, created as a stub (completed by the backfill) when unknown."""
    if known is not None and platform_id in known.variants:
        return known.variants[platform_id]
    variant = session.scalars(
        select(Variant).where(Variant.shop_id == shop.id, Variant.platform_id == platform_id)
    ).one_or_none()
    if variant is None:
        variant = Variant(
            shop_id=shop.id, platform_id=platform_id, sku=sku, title=title, currency=shop.currency
        )
        session.add(variant)
        session.flush()
    if known is not None:
        known.variants[platform_id] = variant
    return variant


def upsert_order(
    session: Session, shop: Shop, data: OrderData, known: Known | None = None
) -> Order | None:
    """Create or update an order with its lines; None when the update is stale."""
    if known is not None and known.orders is not None:
        order = known.orders.get(data.platform_id)
    else:
        order = session.scalars(
            select(Order).where(Order.shop_id == shop.id, Order.platform_id == data.platform_id)
        ).one_or_none()
    if order is not None and _stale(order.platform_updated_at, data.updated_at):
        return None
    customer = upsert_customer(session, shop, data.customer) if data.customer else None
    if order is None:
        order = Order(
            shop_id=shop.id,
            platform_id=data.platform_id,
            currency=data.currency,
            ordered_at=data.ordered_at,
        )
        session.add(order)
    order.number, order.name = data.name.lstrip("#"), data.name
    order.email, order.currency, order.total, order.subtotal = (
        data.email,
        data.currency,
        data.total,
        data.total,
    )
    order.financial_status, order.fulfillment_status = (
        data.financial_status,
        data.fulfillment_status,
    )
    order.ordered_at, order.cancelled_at = data.ordered_at, data.cancelled_at
    order.fulfilled_at = data.fulfilled_at or order.fulfilled_at
    order.delivered_at = data.delivered_at or order.delivered_at
    order.shipping_country, order.tags, order.channel = data.shipping_country, data.tags, "shopify"
    order.payment_gateways = data.payment_gateways or order.payment_gateways
    if customer is not None:
        session.flush()
        order.customer_id = customer.id
    order.platform_updated_at = data.updated_at or order.platform_updated_at
    existing = {line.platform_id: line for line in order.lines}
    for line_data in data.lines:
        _upsert_line(session, shop, order, existing.get(line_data.platform_id), line_data, known)
    return order


def _upsert_line(
    session: Session,
    shop: Shop,
    order: Order,
    line: OrderLine | None,
    data: LineData,
    known: Known | None,
) -> None:
    variant = (
        variant_by_platform_id(session, shop, data.variant_platform_id, data.sku, data.title, known)
        if data.variant_platform_id
        else None
    )
    if line is None:
        line = OrderLine(
            shop_id=shop.id,
            platform_id=data.platform_id,
            quantity=data.quantity,
            unit_price=data.unit_price,
            discounted_unit_price=data.discounted_unit_price,
            currency=order.currency,
        )
        order.lines.append(line)
    line.variant_id = variant.id if variant else None
    line.variant_platform_id = data.variant_platform_id
    line.sku, line.title, line.quantity = data.sku, data.title, data.quantity
    line.unit_price, line.discounted_unit_price = data.unit_price, data.discounted_unit_price
    line.currency = order.currency
    line.fulfilled_quantity = data.quantity if order.fulfilled_at else 0
    # Shopify has no final-sale flag; merchants tag such products "final-sale".
    line.final_sale = bool(variant and FINAL_SALE_TAG in {t.lower() for t in variant.tags or []})
    # Units refunded on the store; those Reshelf refunded itself are settled returns, not these.
    line.refunded_quantity = max(
        0,
        data.quantity
        - data.current_quantity
        - _settled_by_reshelf(session, line, data.quantity - data.current_quantity),
    )


def _settled_by_reshelf(session: Session, line: OrderLine, refunded_on_store: int) -> int:
    if line.id is None or refunded_on_store <= 0:
        return 0  # nothing refunded: no need to ask which refunds were ours
    rows = session.scalars(
        select(ReturnLine).where(
            ReturnLine.order_line_id == line.id, ReturnLine.resolution_state == ResolutionState.DONE
        )
    )
    return sum(row.received_quantity or row.quantity for row in rows)


def upsert_variant(session: Session, shop: Shop, node: dict[str, Any]) -> Variant:
    """A ``ProductVariant`` node with its product and inventory item."""
    product = node.get("product") or {}
    variant = variant_by_platform_id(
        session, shop, node["id"], node.get("sku"), node.get("title") or ""
    )
    variant.product_platform_id = product.get("id")
    variant.inventory_item_id = (node.get("inventoryItem") or {}).get("id")
    variant.sku, variant.title = node.get("sku"), node.get("title") or ""
    variant.product_title = product.get("title") or ""
    variant.price = Decimal(str(node["price"])) if node.get("price") is not None else None
    variant.currency, variant.tags = shop.currency, list(product.get("tags") or [])
    collections = (product.get("collections") or {}).get("nodes") or []
    variant.collections = [c["handle"] for c in collections]
    variant.product_type, variant.vendor = product.get("productType"), product.get("vendor")
    return variant


def upsert_location(session: Session, shop: Shop, node: dict[str, Any]) -> Location:
    """A ``Location`` node; the first one known becomes the default."""
    location = session.scalars(
        select(Location).where(Location.shop_id == shop.id, Location.platform_id == node["id"])
    ).one_or_none()
    if location is None:
        has_default = session.scalars(
            select(Location.id).where(Location.shop_id == shop.id, Location.is_default.is_(True))
        ).first()
        location = Location(shop_id=shop.id, platform_id=node["id"], is_default=has_default is None)
        session.add(location)
        session.flush()
    location.name = node.get("name") or ""
    return location
