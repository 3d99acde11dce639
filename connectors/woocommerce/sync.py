"""Backfill and incremental sync of orders, products (with variations) and customers.

- Backfill pages with ``page``/``per_page=100`` ordered by id ascending (new rows land on
  the last page, so paging stays stable while the store takes orders) and follows
  ``X-WP-TotalPages``; the page reached is saved so an interrupted backfill resumes.
- Incremental asks for ``modified_after`` the cursor with ``dates_are_gmt=true`` (the
  cursor is UTC; without it WooCommerce compares site time). ``after`` is exclusive and
  dates have one-second resolution, so the query starts one second early; the upserts
  skip what the mirror already has.
- The cursor becomes ``min(sync start, newest date_modified_gmt seen)`` and never moves
  back: nothing changed while the sync ran is skipped next time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.woocommerce import mapping
from connectors.woocommerce.client import WooClient
from core import mirror_batch
from core.clock import Clock
from core.models import Shop, SyncCursor, Variant
from core.ports import SyncResult

PageUpsert = Callable[[Session, Shop, WooClient, list[dict[str, Any]]], int]
OVERLAP = timedelta(seconds=1)


def upsert_product(session: Session, shop: Shop, client: WooClient, data: dict[str, Any]) -> bool:
    """Mirror a product: a simple product is a variant; a variable one, its variations."""
    if data.get("type") == "variable":
        for _, page in client.pages(f"products/{data['id']}/variations"):
            for variation in page.items:
                mapping.upsert_variant(session, shop, variation, parent=data)
        return True
    if data.get("type") == "variation" and data.get("parent_id"):
        parent = client.get(f"products/{data['parent_id']}")
        mapping.upsert_variant(session, shop, data, parent=parent)
        return True
    mapping.upsert_variant(session, shop, data)
    return True


def ensure_variants(
    session: Session, shop: Shop, client: WooClient, orders: list[dict[str, Any]]
) -> None:
    """Fetch products the orders mention that the mirror does not know yet."""
    wanted = {
        str(item.get("variation_id") or item.get("product_id") or "")
        for order in orders
        for item in order.get("line_items", [])
    } - {"", "0"}
    if not wanted:
        return
    found = mirror_batch.by_platform_id(session, Variant, shop.id, wanted, Variant.id)
    known = {row[0] for row in found}
    for platform_id in sorted(wanted - known):
        # A variable product fetched for one variation may have brought this one along.
        if (
            session.scalar(
                select(Variant.id).where(
                    Variant.shop_id == shop.id, Variant.platform_id == platform_id
                )
            )
            is None
        ):
            upsert_product(session, shop, client, client.get(f"products/{platform_id}"))


def product_titles(session: Session, shop: Shop, orders: list[dict[str, Any]]) -> dict[str, str]:
    """The product name of each variation the orders' lines name, from the mirror."""
    variations = {
        str(item["variation_id"])
        for order in orders
        for item in order.get("line_items", [])
        if item.get("variation_id")
    }
    found = mirror_batch.by_platform_id(
        session, Variant, shop.id, variations, Variant.product_title
    )
    return {str(row[0]): str(row[1]) for row in found}


def upsert_orders(
    session: Session, shop: Shop, client: WooClient, orders: list[dict[str, Any]]
) -> int:
    """Mirror a page of orders, their refunds and products; the number not skipped as stale."""
    ensure_variants(session, shop, client, orders)
    titles = product_titles(session, shop, orders)
    records = [
        mapping.order_record(
            shop,
            data,
            client.get(f"orders/{data['id']}/refunds") if data.get("refunds") else [],
            titles,
        )
        for data in orders
    ]
    return len(mirror_batch.upsert_orders(session, shop, records).order_ids)


def upsert_order(session: Session, shop: Shop, client: WooClient, data: dict[str, Any]) -> bool:
    """Mirror one order (a webhook's); False when it is older than the mirror."""
    return upsert_orders(session, shop, client, [data]) == 1


def upsert_customers(
    session: Session, shop: Shop, client: WooClient, customers: list[dict[str, Any]]
) -> int:
    """Mirror a page of customers."""
    return sum(upsert_customer(session, shop, client, data) for data in customers)


def upsert_customer(session: Session, shop: Shop, client: WooClient, data: dict[str, Any]) -> bool:
    """Mirror a customer."""
    return mapping.upsert_customer(session, shop, data) is not None


def upsert_products(
    session: Session, shop: Shop, client: WooClient, products: list[dict[str, Any]]
) -> int:
    """Mirror a page of products."""
    return sum(upsert_product(session, shop, client, data) for data in products)


UPSERTS: dict[str, PageUpsert] = {
    "orders": upsert_orders,
    "products": upsert_products,
    "customers": upsert_customers,
}


def cursor_for(session: Session, shop: Shop, resource: str) -> SyncCursor:
    """The shop's cursor for one resource, created on first use."""
    cursor = session.scalars(
        select(SyncCursor).where(SyncCursor.shop_id == shop.id, SyncCursor.resource == resource)
    ).one_or_none()
    if cursor is None:
        cursor = SyncCursor(shop_id=shop.id, resource=resource)
        session.add(cursor)
    return cursor


def sync_resource(
    session: Session, shop: Shop, client: WooClient, resource: str, *, full: bool, clock: Clock
) -> SyncResult:
    """One backfill (``full``) or incremental pass; commits page by page."""
    upsert = UPSERTS[resource]
    started = clock.now()
    cursor = cursor_for(session, shop, resource)
    mapping.ensure_location(session, shop)
    backfill = full or cursor.high_water is None
    if backfill:
        # "page|start": a resumed backfill keeps the first run's start as its cursor.
        page_text, _, first_start = (cursor.page_cursor or "1|").partition("|")
        start = int(page_text)
        started = datetime.fromisoformat(first_start) if first_start else started
        pages = client.pages(resource, start, orderby="id", order="asc")
    else:
        assert cursor.high_water is not None
        since = (cursor.high_water - OVERLAP).strftime("%Y-%m-%dT%H:%M:%S")
        start = 1
        pages = client.pages(
            resource, orderby="modified", order="asc", modified_after=since, dates_are_gmt="true"
        )
    fetched = upserted = 0
    newest: datetime | None = None
    for number, page in pages:
        fetched += len(page.items)
        upserted += upsert(session, shop, client, list(page.items))
        for item in page.items:
            stamp = mapping.gmt(item.get("date_modified_gmt"))
            newest = stamp if newest is None or (stamp and stamp > newest) else newest
        if backfill:
            cursor.page_cursor = f"{number + 1}|{started.isoformat()}"
        session.commit()
    cursor.page_cursor = None
    _advance(cursor, started, newest, backfill)
    session.commit()
    return SyncResult(
        resource, fetched=fetched, upserted=upserted, skipped_stale=fetched - upserted
    )


def _advance(cursor: SyncCursor, started: datetime, newest: datetime | None, full: bool) -> None:
    """Move the high-water mark to min(start, newest seen), never backwards."""
    candidate = started if full else min(started, newest) if newest else None
    if candidate is not None and (cursor.high_water is None or candidate > cursor.high_water):
        cursor.high_water = candidate


def sync_all(
    session: Session,
    shop: Shop,
    client: WooClient,
    *,
    full: bool,
    clock: Clock,
    resources: Iterable[str] = ("products", "customers", "orders"),
) -> list[SyncResult]:
    """Products first (orders point at them), then customers, then orders."""
    return [sync_resource(session, shop, client, r, full=full, clock=clock) for r in resources]
