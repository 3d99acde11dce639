"""Shopify shapes → core records, in one step: webhook (REST resource) bodies and GraphQL nodes.

Webhooks carry the REST resource (https://shopify.dev/docs/api/webhooks); the backfill
reads GraphQL. Both become ``core.mirror_batch`` records, which ``sync`` writes. Platform
ids are always global ids (``admin_graphql_api_id`` in REST bodies). Variants and
locations, read only by the backfill, are written to their rows here directly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.mirror_batch import CustomerRecord, LineRecord, OrderRecord
from core.models import Location, Shop, Variant

# GraphQL's displayFulfillmentStatus in the REST words a webhook uses (null, "partial"),
# so a backfilled order and the same order by webhook are stored alike:
# https://shopify.dev/docs/api/admin-graphql/latest/enums/OrderDisplayFulfillmentStatus
REST_FULFILLMENT_STATUS: dict[str, str | None] = {
    "UNFULFILLED": None,
    "PARTIALLY_FULFILLED": "partial",
}


def when(value: str | None) -> datetime | None:
    """Parse a Shopify timestamp (ISO 8601 with offset or ``Z``) as aware UTC."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def money(value: Any) -> Decimal:
    """A money amount as Decimal (never float)."""
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def tags(value: Any) -> list[str]:
    """Tags from a list (GraphQL) or a comma-separated string (REST)."""
    if isinstance(value, list):
        return [str(t) for t in value]
    return [t.strip() for t in str(value or "").split(",") if t.strip()]


def gid(kind: str, value: Any) -> str | None:
    """A global id from a numeric REST id (None stays None)."""
    return None if value in (None, "") else f"gid://shopify/{kind}/{value}"


def customer_from_rest(shop: Shop, body: dict[str, Any]) -> CustomerRecord:
    """A ``customers/*`` body, or an order's ``customer`` (no loyalty figures: only the
    Admin API's Customer has them)."""
    return CustomerRecord(
        platform_id=body.get("admin_graphql_api_id") or str(gid("Customer", body["id"])),
        email=body.get("email"),
        first_name=body.get("first_name"),
        last_name=body.get("last_name"),
        phone=body.get("phone"),
        tags=tags(body.get("tags")),
        currency=shop.currency,
        platform_updated_at=when(body.get("updated_at")),
    )


def _refunded_by_line(body: dict[str, Any]) -> dict[Any, int]:
    refunded: dict[Any, int] = {}
    for refund in body.get("refunds") or []:
        for item in refund.get("refund_line_items") or []:
            key = item.get("line_item_id")
            refunded[key] = refunded.get(key, 0) + int(item.get("quantity") or 0)
    return refunded


def order_from_rest(shop: Shop, body: dict[str, Any]) -> OrderRecord:
    """An ``orders/*`` webhook body."""
    refunded = _refunded_by_line(body)
    fulfillments = body.get("fulfillments") or []
    fulfilled_at = min((t for f in fulfillments if (t := when(f.get("created_at")))), default=None)
    lines = []
    for li in body.get("line_items") or []:
        quantity = int(li.get("quantity") or 0)
        lines.append(
            LineRecord(
                platform_id=li.get("admin_graphql_api_id") or str(gid("LineItem", li["id"])),
                variant_platform_id=gid("ProductVariant", li.get("variant_id")),
                sku=li.get("sku"),
                title=li.get("title") or li.get("name") or "",
                quantity=quantity,
                unit_price=money(li.get("price")),
                discounted_unit_price=money(li.get("price"))
                - money(li.get("total_discount")) / max(quantity or 1, 1),
                # What a payload leaves out (a webhook without fulfillments) stays as stored.
                fulfilled_quantity=quantity if fulfilled_at else None,
                refunded_quantity=max(0, refunded.get(li.get("id"), 0)),
            )
        )
    name = body.get("name") or str(body.get("order_number") or body["id"])
    total = money(body.get("total_price"))
    return OrderRecord(
        platform_id=body.get("admin_graphql_api_id") or str(gid("Order", body["id"])),
        number=name.lstrip("#"),
        name=name,
        email=body.get("email") or body.get("contact_email") or None,
        currency=body.get("currency") or "USD",
        total=total,
        subtotal=total,
        financial_status=body.get("financial_status"),
        fulfillment_status=body.get("fulfillment_status"),
        ordered_at=when(body.get("processed_at") or body.get("created_at")) or datetime.now(UTC),
        platform_updated_at=when(body.get("updated_at")),
        cancelled_at=when(body.get("cancelled_at")),
        shipping_country=(body.get("shipping_address") or {}).get("country_code"),
        channel="shopify",
        tags=tags(body.get("tags")),
        customer=customer_from_rest(shop, body["customer"]) if body.get("customer") else None,
        lines=lines,
        payment_gateways=list(body.get("payment_gateway_names") or []) or None,
        fulfilled_at=fulfilled_at,
    )


def _amount(node: dict[str, Any], name: str) -> Decimal:
    return money(((node.get(name) or {}).get("shopMoney") or {}).get("amount"))


def customer_from_graphql(shop: Shop, node: dict[str, Any]) -> CustomerRecord:
    """A ``Customer`` node."""
    spent = node.get("amountSpent")
    return CustomerRecord(
        platform_id=node["id"],
        email=node.get("email"),
        first_name=node.get("firstName"),
        last_name=node.get("lastName"),
        phone=node.get("phone"),
        tags=tags(node.get("tags")),
        currency=shop.currency,
        orders_count=int(node["numberOfOrders"]) if "numberOfOrders" in node else None,
        total_spent=money(spent["amount"]) if spent else None,
        platform_updated_at=when(node.get("updatedAt")),
    )


def line_from_graphql(node: dict[str, Any], fulfilled: bool) -> LineRecord:
    """A ``LineItem`` node of an order (``fulfilled``: the order has a fulfillment)."""
    quantity = int(node["quantity"])
    return LineRecord(
        platform_id=node["id"],
        variant_platform_id=(node.get("variant") or {}).get("id"),
        sku=node.get("sku"),
        title=node.get("title") or "",
        quantity=quantity,
        unit_price=_amount(node, "originalUnitPriceSet"),
        discounted_unit_price=_amount(node, "discountedUnitPriceAfterAllDiscountsSet"),
        fulfilled_quantity=quantity if fulfilled else None,
        refunded_quantity=max(0, quantity - int(node.get("currentQuantity", quantity))),
    )


def order_from_graphql(
    shop: Shop, node: dict[str, Any], lines: list[dict[str, Any]] | None = None
) -> OrderRecord:
    """An ``Order`` node (``lines`` given separately for bulk JSONL, where they are rows)."""
    if lines is None:
        lines = (node.get("lineItems") or {}).get("nodes") or []
    fulfillments = node.get("fulfillments") or []
    fulfilled_at = min((t for f in fulfillments if (t := when(f.get("createdAt")))), default=None)
    customer = node.get("customer")
    name = node.get("name") or node["id"]
    total = _amount(node, "totalPriceSet")
    status = node.get("displayFulfillmentStatus") or ""
    return OrderRecord(
        platform_id=node["id"],
        number=name.lstrip("#"),
        name=name,
        email=node.get("email") or None,
        currency=node.get("currencyCode") or "USD",
        total=total,
        subtotal=total,
        financial_status=(node.get("displayFinancialStatus") or "").lower() or None,
        fulfillment_status=REST_FULFILLMENT_STATUS.get(status, status.lower() or None),
        ordered_at=when(node.get("processedAt") or node.get("createdAt")) or datetime.now(UTC),
        platform_updated_at=when(node.get("updatedAt")),
        cancelled_at=when(node.get("cancelledAt")),
        shipping_country=(node.get("shippingAddress") or {}).get("countryCodeV2"),
        channel="shopify",
        tags=tags(node.get("tags")),
        customer=customer_from_graphql(shop, customer)
        if customer and "email" in customer
        else None,
        lines=[line_from_graphql(li, fulfilled_at is not None) for li in lines],
        payment_gateways=list(node.get("paymentGatewayNames") or []) or None,
        fulfilled_at=fulfilled_at,
        delivered_at=max(
            (t for f in fulfillments if (t := when(f.get("deliveredAt")))), default=None
        ),
    )


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
