"""REST v3 payloads → the core mirror (customers, variants, orders and their lines).

Every upsert is keyed by the store's id and skips a payload older than what the mirror
already holds (``date_modified_gmt``), so duplicates and out-of-order deliveries are
harmless. Orders become neutral records that ``core.mirror_batch`` writes a page at a time.
Docs: https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties

What the real store does that the mapping allows for (docs/platforms.md):
- an order created straight into "processing" or "completed" has no ``date_paid``, so
  "paid" is read from the status as well (``PAID_STATUSES``);
- a variation is named by its attribute only ("L"), and so are its order lines: the
  mirror shows the parent product's name with it ("Hoodie - L");
- a line's ``price`` is a JSON number (a float): amounts are read from the string
  ``subtotal`` and ``total`` only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.mirror_batch import CustomerRecord, LineRecord, OrderRecord
from core.models import Customer, InventoryLevel, Location, Shop, Variant

_Row = TypeVar("_Row", Customer, Location, Variant)
DEFAULT_LOCATION = "default"  # WooCommerce has one stock pool per product
# Statuses an order reaches only once paid (core's, and the Reshelf plugin's return
# statuses, which follow a paid order); wc_get_is_paid_statuses() lists the first two.
PAID_STATUSES = frozenset(
    {
        "processing",
        "completed",
        "refunded",
        "return-requested",
        "return-approved",
        "partly-returned",
        "returned",
    }
)
SETTLEMENT_META = "reshelf_settlement"  # marks refunds Reshelf made (see money.py)


def gmt(value: Any) -> datetime | None:
    """A ``*_gmt`` field (``2026-01-31T12:00:00``, no zone) as an aware UTC datetime."""
    if not value:
        return None
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _money(value: Any) -> Decimal:
    return Decimal(str(value or "0"))


def _stale(row_stamp: datetime | None, payload: dict[str, Any]) -> bool:
    incoming = gmt(payload.get("date_modified_gmt"))
    return row_stamp is not None and incoming is not None and incoming < row_stamp


def display_title(product_name: str, name: str) -> str:
    """A variation's name with its product's: "Hoodie - L" (the store says only "L")."""
    if not product_name or name.startswith(product_name):
        return name or product_name
    return f"{product_name} - {name}" if name else product_name


def is_paid(data: dict[str, Any]) -> bool:
    """Paid when the store says when, or when the status can only follow a payment."""
    paid_at = data.get("date_paid_gmt") or data.get("date_paid")
    return bool(paid_at) or data.get("status") in PAID_STATUSES


def _one(session: Session, model: type[_Row], shop_id: int, platform_id: str) -> _Row | None:
    return session.scalars(
        select(model).where(model.shop_id == shop_id, model.platform_id == platform_id)
    ).one_or_none()


def ensure_location(session: Session, shop: Shop) -> Location:
    """The shop's single implicit stock location."""
    location = _one(session, Location, shop.id, DEFAULT_LOCATION)
    if location is None:
        location = Location(
            shop_id=shop.id, platform_id=DEFAULT_LOCATION, name="Store stock", is_default=True
        )
        session.add(location)
    return location


def upsert_customer(session: Session, shop: Shop, data: dict[str, Any]) -> Customer | None:
    """Mirror a customer; None if the payload is older than the mirror."""
    customer = _one(session, Customer, shop.id, str(data["id"]))
    if customer is not None and _stale(customer.platform_updated_at, data):
        return None
    if customer is None:
        customer = Customer(shop_id=shop.id, platform_id=str(data["id"]))
        session.add(customer)
    billing = data.get("billing") or {}
    customer.email = data.get("email") or billing.get("email")
    customer.first_name = data.get("first_name") or billing.get("first_name")
    customer.last_name = data.get("last_name") or billing.get("last_name")
    customer.phone = billing.get("phone") or None
    customer.country = (billing.get("country") or "")[:2] or None
    customer.platform_updated_at = gmt(data.get("date_modified_gmt"))
    return customer


def upsert_variant(
    session: Session, shop: Shop, data: dict[str, Any], parent: dict[str, Any] | None = None
) -> Variant:
    """Mirror a simple product or a variation (``parent`` is its variable product).

    A payload older than the mirror changes nothing (a delivery processed late).
    """
    variant = _one(session, Variant, shop.id, str(data["id"]))
    if variant is not None and _stale(variant.platform_updated_at, data):
        return variant
    if variant is None:
        variant = Variant(shop_id=shop.id, platform_id=str(data["id"]))
        session.add(variant)
    product = parent or data
    variant.product_platform_id = str(product["id"])
    variant.sku = data.get("sku") or None
    variant.product_title = product.get("name", "")
    name = str(data.get("name") or "")
    variant.title = display_title(str(parent.get("name") or ""), name) if parent else name
    variant.price = _money(data.get("price")) if data.get("price") not in (None, "") else None
    variant.currency = shop.currency
    variant.tags = [t.get("slug") or t.get("name") for t in product.get("tags", [])]
    variant.collections = [c.get("slug") or c.get("name") for c in product.get("categories", [])]
    variant.product_type = product.get("type")
    variant.tracks_inventory = bool(data.get("manage_stock"))
    variant.platform_updated_at = gmt(data.get("date_modified_gmt"))
    if variant.tracks_inventory:
        _mirror_stock(session, shop, variant, int(data.get("stock_quantity") or 0))
    elif variant.id is not None:
        drop_stock(session, variant)
    return variant


def drop_stock(session: Session, variant: Variant) -> None:
    """Forget the item's stock level: the store no longer counts it (nothing to compare)."""
    variant.tracks_inventory = False
    for level in session.scalars(
        select(InventoryLevel).where(InventoryLevel.variant_id == variant.id)
    ):
        session.delete(level)


def _mirror_stock(session: Session, shop: Shop, variant: Variant, available: int) -> None:
    """The product's stock, as the level at the shop's single location."""
    location = ensure_location(session, shop)
    session.flush()  # ids for a new variant or location
    level = session.scalars(
        select(InventoryLevel).where(
            InventoryLevel.variant_id == variant.id, InventoryLevel.location_id == location.id
        )
    ).one_or_none()
    if level is None:
        level = InventoryLevel(shop_id=shop.id, variant_id=variant.id, location_id=location.id)
        session.add(level)
    level.available = available
    level.platform_updated_at = variant.platform_updated_at


def _buyer(data: dict[str, Any]) -> CustomerRecord | None:
    """The order's customer as the order sketches it (created if missing, never updated)."""
    billing = data.get("billing") or {}
    platform_id = str(data.get("customer_id") or 0)
    if platform_id == "0":
        if not billing.get("email"):
            return None
        platform_id = f"guest:{billing['email'].lower()}"  # guests have no customer id
    return CustomerRecord(
        platform_id=platform_id,
        email=billing.get("email"),
        first_name=billing.get("first_name"),
        last_name=billing.get("last_name"),
        refresh=False,
    )


def refunded_by_item(refunds: list[dict[str, Any]]) -> dict[str, int]:
    """Units refunded per line item by refunds Reshelf did not make."""
    units: dict[str, int] = {}
    for refund in refunds:
        if any(m.get("key") == SETTLEMENT_META for m in refund.get("meta_data", [])):
            continue
        for item in refund.get("line_items", []):
            key = str(item.get("refunded_item_id") or "")
            units[key] = units.get(key, 0) + abs(int(item.get("quantity") or 0))
    return units


def order_record(
    shop: Shop,
    data: dict[str, Any],
    refunds: list[dict[str, Any]] | None = None,
    product_titles: dict[str, str] | None = None,
) -> OrderRecord:
    """An order payload (with its refunds) as the neutral record ``core.mirror_batch`` writes.

    ``product_titles`` maps a variation's id to its product's name, for the line titles.
    """
    shipping, billing = data.get("shipping") or {}, data.get("billing") or {}
    number = str(data.get("number") or data["id"])
    currency = data.get("currency") or shop.currency
    refunded = refunded_by_item(refunds or [])
    titles = product_titles or {}
    lines = [_line_record(item, refunded, titles) for item in data.get("line_items", [])]
    return OrderRecord(
        platform_id=str(data["id"]),
        number=number,
        name=f"#{number}",
        email=billing.get("email") or None,
        currency=currency,
        total=_money(data.get("total")),
        subtotal=sum((line.unit_price * line.quantity for line in lines), Decimal(0)),
        store_status=data.get("status"),
        financial_status="paid" if is_paid(data) else None,
        fulfillment_status="fulfilled" if data.get("status") == "completed" else None,
        ordered_at=gmt(data.get("date_created_gmt")) or datetime.now(UTC),
        fulfilled_at=gmt(data.get("date_completed_gmt")),
        shipping_country=(shipping.get("country") or billing.get("country") or "")[:2] or None,
        payment_gateways=[data.get("payment_method") or ""],
        channel=data.get("created_via") or "woocommerce",
        platform_data={
            "payment_method": data.get("payment_method") or "",
            "refunds": data.get("refunds", []),
        },
        platform_updated_at=gmt(data.get("date_modified_gmt")),
        customer=_buyer(data),
        lines=lines,
    )


def _line_record(
    item: dict[str, Any], refunded: dict[str, int], product_titles: dict[str, str]
) -> LineRecord:
    quantity = max(int(item.get("quantity") or 0), 1)
    variant_pid = str(item.get("variation_id") or item.get("product_id") or "")
    name = str(item.get("name") or "")
    if item.get("variation_id"):
        name = display_title(product_titles.get(variant_pid, ""), name)
    return LineRecord(
        platform_id=str(item["id"]),
        variant_platform_id=variant_pid or None,
        product_platform_id=str(item.get("product_id") or "") or None,
        sku=item.get("sku") or None,
        title=name,
        quantity=quantity,
        unit_price=_money(item.get("subtotal")) / quantity,
        discounted_unit_price=_money(item.get("total")) / quantity,
        tax_lines=[
            {"rate_id": str(t["id"]), "amount": str(t.get("total") or "0")}
            for t in item.get("taxes", [])
        ],
        refunded_quantity=refunded.get(str(item["id"]), 0),
    )
