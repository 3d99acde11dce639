"""Shopify shapes → neutral records: webhook (REST resource) bodies and GraphQL nodes.

Webhooks carry the REST resource (https://shopify.dev/docs/api/webhooks); the backfill
reads GraphQL. Both become the same dataclasses, which ``mirror`` writes to the database.
Platform ids are always global ids (``admin_graphql_api_id`` in REST bodies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any


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


@dataclass
class CustomerData:
    platform_id: str
    email: str | None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    tags: list[str] = field(default_factory=list)
    updated_at: datetime | None = None
    # Loyalty figures: only the Admin API's Customer has them (webhook bodies do not).
    orders_count: int | None = None
    total_spent: Decimal | None = None


@dataclass
class LineData:
    platform_id: str
    variant_platform_id: str | None
    sku: str | None
    title: str
    quantity: int
    current_quantity: int
    unit_price: Decimal
    discounted_unit_price: Decimal


@dataclass
class OrderData:
    platform_id: str
    name: str
    email: str | None
    currency: str
    total: Decimal
    financial_status: str | None
    fulfillment_status: str | None
    ordered_at: datetime
    updated_at: datetime | None
    cancelled_at: datetime | None
    shipping_country: str | None
    tags: list[str]
    customer: CustomerData | None
    lines: list[LineData]
    fulfilled_at: datetime | None = None
    delivered_at: datetime | None = None
    payment_gateways: list[str] = field(default_factory=list)


def customer_from_rest(body: dict[str, Any]) -> CustomerData:
    """A ``customers/*`` body, or an order's ``customer``."""
    return CustomerData(
        platform_id=body.get("admin_graphql_api_id") or str(gid("Customer", body["id"])),
        email=body.get("email"),
        first_name=body.get("first_name"),
        last_name=body.get("last_name"),
        phone=body.get("phone"),
        tags=tags(body.get("tags")),
        updated_at=when(body.get("updated_at")),
    )


def order_from_rest(body: dict[str, Any]) -> OrderData:
    """An ``orders/*`` webhook body."""
    refunded: dict[Any, int] = {}
    for refund in body.get("refunds") or []:
        for item in refund.get("refund_line_items") or []:
            refunded[item.get("line_item_id")] = refunded.get(item.get("line_item_id"), 0) + int(
                item.get("quantity") or 0
            )
    lines = [
        LineData(
            platform_id=li.get("admin_graphql_api_id") or str(gid("LineItem", li["id"])),
            variant_platform_id=gid("ProductVariant", li.get("variant_id")),
            sku=li.get("sku"),
            title=li.get("title") or li.get("name") or "",
            quantity=int(li.get("quantity") or 0),
            current_quantity=int(li.get("quantity") or 0) - refunded.get(li.get("id"), 0),
            unit_price=money(li.get("price")),
            discounted_unit_price=money(li.get("price"))
            - money(li.get("total_discount")) / max(int(li.get("quantity") or 1), 1),
        )
        for li in body.get("line_items") or []
    ]
    fulfillments = body.get("fulfillments") or []
    address = body.get("shipping_address") or {}
    return OrderData(
        platform_id=body.get("admin_graphql_api_id") or str(gid("Order", body["id"])),
        name=body.get("name") or str(body.get("order_number") or body["id"]),
        email=body.get("email") or body.get("contact_email"),
        currency=body.get("currency") or "USD",
        total=money(body.get("total_price")),
        financial_status=body.get("financial_status"),
        fulfillment_status=body.get("fulfillment_status"),
        ordered_at=when(body.get("processed_at") or body.get("created_at")) or datetime.now(UTC),
        updated_at=when(body.get("updated_at")),
        cancelled_at=when(body.get("cancelled_at")),
        shipping_country=address.get("country_code"),
        tags=tags(body.get("tags")),
        customer=customer_from_rest(body["customer"]) if body.get("customer") else None,
        lines=lines,
        payment_gateways=list(body.get("payment_gateway_names") or []),
        fulfilled_at=min(
            (t for f in fulfillments if (t := when(f.get("created_at")))), default=None
        ),
    )


def _amount(node: dict[str, Any], name: str) -> Decimal:
    return money(((node.get(name) or {}).get("shopMoney") or {}).get("amount"))


def customer_from_graphql(node: dict[str, Any]) -> CustomerData:
    """A ``Customer`` node."""
    spent = node.get("amountSpent")
    return CustomerData(
        orders_count=int(node["numberOfOrders"]) if "numberOfOrders" in node else None,
        total_spent=money(spent["amount"]) if spent else None,
        platform_id=node["id"],
        email=node.get("email"),
        first_name=node.get("firstName"),
        last_name=node.get("lastName"),
        phone=node.get("phone"),
        tags=tags(node.get("tags")),
        updated_at=when(node.get("updatedAt")),
    )


def line_from_graphql(node: dict[str, Any]) -> LineData:
    """A ``LineItem`` node."""
    return LineData(
        platform_id=node["id"],
        variant_platform_id=(node.get("variant") or {}).get("id"),
        sku=node.get("sku"),
        title=node.get("title") or "",
        quantity=int(node["quantity"]),
        current_quantity=int(node.get("currentQuantity", node["quantity"])),
        unit_price=_amount(node, "originalUnitPriceSet"),
        discounted_unit_price=_amount(node, "discountedUnitPriceAfterAllDiscountsSet"),
    )


def order_from_graphql(
    node: dict[str, Any], lines: list[dict[str, Any]] | None = None
) -> OrderData:
    """An ``Order`` node (``lines`` given separately for bulk JSONL, where they are rows)."""
    if lines is None:
        lines = (node.get("lineItems") or {}).get("nodes") or []
    fulfillments = node.get("fulfillments") or []
    customer = node.get("customer")
    return OrderData(
        platform_id=node["id"],
        name=node.get("name") or node["id"],
        email=node.get("email"),
        currency=node.get("currencyCode") or "USD",
        total=_amount(node, "totalPriceSet"),
        financial_status=(node.get("displayFinancialStatus") or "").lower() or None,
        fulfillment_status=(node.get("displayFulfillmentStatus") or "").lower() or None,
        ordered_at=when(node.get("processedAt") or node.get("createdAt")) or datetime.now(UTC),
        updated_at=when(node.get("updatedAt")),
        cancelled_at=when(node.get("cancelledAt")),
        shipping_country=(node.get("shippingAddress") or {}).get("countryCodeV2"),
        tags=tags(node.get("tags")),
        customer=customer_from_graphql(customer) if customer and "email" in customer else None,
        lines=[line_from_graphql(li) for li in lines],
        payment_gateways=list(node.get("paymentGatewayNames") or []),
        fulfilled_at=min(
            (t for f in fulfillments if (t := when(f.get("createdAt")))), default=None
        ),
        delivered_at=max(
            (t for f in fulfillments if (t := when(f.get("deliveredAt")))), default=None
        ),
    )
