"""Write Shopify records into the mirror, idempotently and never backwards in time.

Orders and customers go through ``core.mirror_batch`` (a page, a bulk batch or one
webhook's order alike). An update older than what the mirror holds (``updated_at``
earlier than the stored ``platform_updated_at``) is skipped: webhooks arrive out of order
and twice (https://shopify.dev/docs/apps/build/webhooks/best-practices).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.shopify.mapping import CustomerData, OrderData
from core import mirror_batch
from core.enums import ResolutionState
from core.mirror_batch import BatchResult, CustomerRecord, LineRecord, OrderRecord, upsert_customers
from core.models import Location, Order, OrderLine, ReturnLine, Shop, Variant

FINAL_SALE_TAG = "final-sale"


def customer_record(shop: Shop, data: CustomerData) -> CustomerRecord:
    """The neutral record of a Shopify customer (the shop's currency is the customer's)."""
    return CustomerRecord(
        platform_id=data.platform_id,
        email=data.email,
        first_name=data.first_name,
        last_name=data.last_name,
        phone=data.phone,
        tags=data.tags,
        currency=shop.currency,
        orders_count=data.orders_count,
        total_spent=data.total_spent,
        platform_updated_at=data.updated_at,
    )


def upsert_customer(session: Session, shop: Shop, data: CustomerData) -> bool:
    """Create or update a customer; False when the update is stale."""
    return not upsert_customers(session, shop, [customer_record(shop, data)])


def upsert_orders(session: Session, shop: Shop, orders: list[OrderData]) -> BatchResult:
    """Create or update orders with their lines and customers; stale ones are skipped."""
    settled = _settled_by_reshelf(session, shop, orders)
    records = [_order_record(shop, data, settled) for data in orders]
    # Shopify has no final-sale flag; merchants tag such products "final-sale".
    return mirror_batch.upsert_orders(
        session, shop, records, stub_variants=True, final_sale_tag=FINAL_SALE_TAG
    )


def upsert_order(session: Session, shop: Shop, data: OrderData) -> int | None:
    """Create or update one order (a webhook's); its row id, or None when stale."""
    return upsert_orders(session, shop, [data]).order_ids.get(data.platform_id)


def _order_record(shop: Shop, data: OrderData, settled: dict[tuple[str, str], int]) -> OrderRecord:
    # What a payload leaves out (a webhook without fulfillments) stays as stored: None.
    lines = [
        LineRecord(
            platform_id=line.platform_id,
            variant_platform_id=line.variant_platform_id,
            sku=line.sku,
            title=line.title,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discounted_unit_price=line.discounted_unit_price,
            fulfilled_quantity=line.quantity if data.fulfilled_at else None,
            # Units refunded on the store; those Reshelf refunded itself are settled returns.
            refunded_quantity=max(
                0,
                line.quantity
                - line.current_quantity
                - settled.get((data.platform_id, line.platform_id), 0),
            ),
        )
        for line in data.lines
    ]
    return OrderRecord(
        platform_id=data.platform_id,
        number=data.name.lstrip("#"),
        name=data.name,
        email=data.email,
        currency=data.currency,
        total=data.total,
        subtotal=data.total,
        financial_status=data.financial_status,
        fulfillment_status=data.fulfillment_status,
        ordered_at=data.ordered_at,
        platform_updated_at=data.updated_at,
        shipping_country=data.shipping_country,
        channel="shopify",
        lines=lines,
        customer=customer_record(shop, data.customer) if data.customer else None,
        fulfilled_at=data.fulfilled_at,
        delivered_at=data.delivered_at,
        cancelled_at=data.cancelled_at,
        tags=data.tags,
        payment_gateways=data.payment_gateways or None,
    )


def _settled_by_reshelf(
    session: Session, shop: Shop, orders: list[OrderData]
) -> dict[tuple[str, str], int]:
    """Units of each (order, line) refunded by Reshelf's own settled returns."""
    refunded = {
        o.platform_id for o in orders for li in o.lines if li.current_quantity < li.quantity
    }
    if not refunded:
        return {}  # nothing refunded: no need to ask which refunds were ours
    rows = session.execute(
        select(
            Order.platform_id,
            OrderLine.platform_id,
            ReturnLine.received_quantity,
            ReturnLine.quantity,
        )
        .join(OrderLine, ReturnLine.order_line_id == OrderLine.id)
        .join(Order, OrderLine.order_id == Order.id)
        .where(
            Order.shop_id == shop.id,
            Order.platform_id.in_(refunded),
            ReturnLine.resolution_state == ResolutionState.DONE,
        )
    )
    settled: dict[tuple[str, str], int] = {}
    for order_pid, line_pid, received, quantity in rows:
        key = (order_pid, line_pid)
        settled[key] = settled.get(key, 0) + (received or quantity)
    return settled


def variant_by_platform_id(
    session: Session, shop: Shop, platform_id: str, sku: str | None, title: str
) -> Variant:
    """The mirrored variant, created as a stub (completed by the backfill) when unknown."""
    variant = session.scalars(
        select(Variant).where(Variant.shop_id == shop.id, Variant.platform_id == platform_id)
    ).one_or_none()
    if variant is None:
        variant = Variant(
            shop_id=shop.id, platform_id=platform_id, sku=sku, title=title, currency=shop.currency
        )
        session.add(variant)
        session.flush()
    return variant


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
