"""The mirror's writes of orders and customers, and backfill and reconciliation by cursor.

- Every order and customer, from a page, a bulk batch or a webhook, is written here
  through ``core.mirror_batch`` (the records come from ``mapping``).
- Cursor pagination: https://shopify.dev/docs/api/usage/pagination-graphql; the client paces
  itself from ``throttleStatus``, so pages never fail on throttling.
- Incremental reads use ``query: "updated_at:>='…'"`` (https://shopify.dev/docs/api/usage/search-syntax);
  the cursor moves to ``min(sync start, newest seen)``, never past the moment the sync
  started, so nothing updated during a sync is skipped.
- Large shops backfill by bulk operation instead: see ``connectors.shopify.bulk``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.shopify.client import Api
from connectors.shopify.consts import ORDERS_PAGE_SIZE, PAGE_SIZE, VARIANTS_PAGE_SIZE
from connectors.shopify.mapping import (
    customer_from_graphql,
    order_from_graphql,
    upsert_location,
    upsert_variant,
    when,
)
from core import mirror_batch
from core.clock import Clock
from core.enums import ResolutionState
from core.mirror_batch import BatchResult, CustomerRecord, OrderRecord, upsert_customers
from core.models import (
    InventoryLevel,
    Location,
    Order,
    OrderLine,
    ReturnLine,
    Shop,
    SyncCursor,
    Variant,
)
from core.ports import SyncResult

PageWriter = Callable[[Session, Shop, list[dict[str, Any]], Api], int]
FINAL_SALE_TAG = "final-sale"


def upsert_orders(session: Session, shop: Shop, orders: list[OrderRecord]) -> BatchResult:
    """Create or update orders with their lines and customers; stale ones are skipped.

    Orders and customers go through ``core.mirror_batch`` (a page, a bulk batch or one
    webhook's order alike), which skips an update older than what the mirror holds:
    webhooks arrive out of order and twice
    (https://shopify.dev/docs/apps/build/webhooks/best-practices).
    """
    # Units refunded on the store count, less those of Reshelf's own settled returns.
    if settled := _settled_by_reshelf(session, shop, orders):
        for order in orders:
            for line in order.lines:
                mine = settled.get((order.platform_id, line.platform_id), 0)
                line.refunded_quantity = max(0, line.refunded_quantity - mine)
    # Shopify has no final-sale flag; merchants tag such products "final-sale".
    return mirror_batch.upsert_orders(
        session, shop, orders, stub_variants=True, final_sale_tag=FINAL_SALE_TAG
    )


def upsert_order(session: Session, shop: Shop, order: OrderRecord) -> int | None:
    """Create or update one order (a webhook's); its row id, or None when stale."""
    return upsert_orders(session, shop, [order]).order_ids.get(order.platform_id)


def upsert_customer(session: Session, shop: Shop, customer: CustomerRecord) -> bool:
    """Create or update a customer; False when the update is stale."""
    return not upsert_customers(session, shop, [customer])


def _settled_by_reshelf(
    session: Session, shop: Shop, orders: list[OrderRecord]
) -> dict[tuple[str, str], int]:
    """Units of each (order, line) refunded by Reshelf's own settled returns."""
    refunded = {o.platform_id for o in orders for li in o.lines if li.refunded_quantity > 0}
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


def _whole_lines(node: dict[str, Any], api: Api) -> list[dict[str, Any]]:
    """An order's line items, fetching the rest when it has more than one page."""
    lines = node["lineItems"]
    while lines["pageInfo"]["hasNextPage"]:
        more = api("order_line_items", {"id": node["id"], "after": lines["pageInfo"]["endCursor"]})
        page = more["order"]["lineItems"]
        lines = {"pageInfo": page["pageInfo"], "nodes": lines["nodes"] + page["nodes"]}
    return list(lines["nodes"])


def _write_orders(session: Session, shop: Shop, nodes: list[dict[str, Any]], api: Api) -> int:
    """Write a page of orders in one batch; the number not skipped as stale."""
    orders = [order_from_graphql(shop, node, _whole_lines(node, api)) for node in nodes]
    return len(upsert_orders(session, shop, orders).order_ids)


def _write_customers(session: Session, shop: Shop, nodes: list[dict[str, Any]], _: Api) -> int:
    records = [customer_from_graphql(shop, node) for node in nodes]
    return len(nodes) - len(upsert_customers(session, shop, records))


def _each(write: Callable[[Session, Shop, dict[str, Any]], object]) -> PageWriter:
    """A page writer that writes node by node."""

    def write_page(session: Session, shop: Shop, nodes: list[dict[str, Any]], _: Api) -> int:
        return sum(write(session, shop, node) is not None for node in nodes)

    return write_page


# (document, root field, page size, page writer) per resource; orders last so variants exist.
RESOURCES: dict[str, tuple[str, str, int, PageWriter]] = {
    "locations": ("locations", "locations", PAGE_SIZE, _each(upsert_location)),
    "variants": ("variants_page", "productVariants", VARIANTS_PAGE_SIZE, _each(upsert_variant)),
    "customers": ("customers_page", "customers", PAGE_SIZE, _write_customers),
    "orders": ("orders_page", "orders", ORDERS_PAGE_SIZE, _write_orders),
}


def cursor_for(session: Session, shop: Shop, resource: str) -> SyncCursor:
    cursor = session.scalars(
        select(SyncCursor).where(SyncCursor.shop_id == shop.id, SyncCursor.resource == resource)
    ).one_or_none()
    if cursor is None:
        cursor = SyncCursor(shop_id=shop.id, resource=resource)
        session.add(cursor)
    return cursor


def sync_resource(
    session: Session, shop: Shop, api: Api, resource: str, full: bool, clock: Clock
) -> SyncResult:
    """Read one resource page by page (all of it, or what changed since the cursor)."""
    if resource == "inventory":
        return sync_inventory(session, shop, api)
    name, root, size, write = RESOURCES[resource]
    cursor, started = cursor_for(session, shop, resource), clock.now()
    since = (
        None if full or cursor.high_water is None or resource == "locations" else cursor.high_water
    )
    variables: dict[str, Any] = {"first": size, "after": cursor.page_cursor if full else None}
    if since is not None:
        variables["query"] = f"updated_at:>='{since.strftime('%Y-%m-%dT%H:%M:%SZ')}'"
    fetched = upserted = 0
    newest: datetime | None = None
    while True:
        page = api(name, variables)[root]
        fetched += len(page["nodes"])
        upserted += write(session, shop, page["nodes"], api)
        for node in page["nodes"]:
            seen = when(node.get("updatedAt"))
            newest = max(newest, seen) if newest and seen else seen or newest
        variables["after"] = page["pageInfo"]["endCursor"]
        if full:
            cursor.page_cursor = variables["after"]  # an interrupted backfill resumes here
        session.commit()
        if not page["pageInfo"]["hasNextPage"]:
            break
    cursor.page_cursor = None
    cursor.high_water = min(started, newest) if newest else started
    session.commit()
    return SyncResult(
        resource=resource, fetched=fetched, upserted=upserted, skipped_stale=fetched - upserted
    )


def sync_inventory(session: Session, shop: Shop, api: Api) -> SyncResult:
    """Read every mirrored variant's available quantity per location."""
    locations = {
        loc.platform_id: loc
        for loc in session.scalars(select(Location).where(Location.shop_id == shop.id))
    }
    variants = list(
        session.scalars(
            select(Variant).where(
                Variant.shop_id == shop.id, Variant.inventory_item_id.is_not(None)
            )
        )
    )
    levels = 0
    for variant in variants:
        item = api("inventory_levels", {"id": variant.inventory_item_id})["inventoryItem"] or {}
        for node in item.get("inventoryLevels", {}).get("nodes", []):
            location = locations.get(node["location"]["id"])
            if location is None:
                continue
            level = session.scalars(
                select(InventoryLevel).where(
                    InventoryLevel.variant_id == variant.id,
                    InventoryLevel.location_id == location.id,
                )
            ).one_or_none() or InventoryLevel(
                shop_id=shop.id, variant_id=variant.id, location_id=location.id
            )
            session.add(level)
            level.available = next(
                q["quantity"] for q in node["quantities"] if q["name"] == "available"
            )
            levels += 1
        session.commit()
    return SyncResult(resource="inventory", fetched=levels, upserted=levels)
