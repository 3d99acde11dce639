"""Backfill and reconciliation by cursor pagination, and large backfills by bulk operation.

- Cursor pagination: https://shopify.dev/docs/api/usage/pagination-graphql; the client paces
  itself from ``throttleStatus``, so pages never fail on throttling.
- Incremental reads use ``query: "updated_at:>='…'"`` (https://shopify.dev/docs/api/usage/search-syntax);
  the cursor moves to ``min(sync start, newest seen)``, never past the moment the sync
  started, so nothing updated during a sync is skipped.
- Bulk operations (https://shopify.dev/docs/api/usage/bulk-operations/queries) write JSONL
  whose line items follow their order with ``__parentId``; the file is streamed line by
  line and each order written when its lines are complete: memory stays flat.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.shopify.client import Api
from connectors.shopify.consts import ORDERS_PAGE_SIZE, PAGE_SIZE
from connectors.shopify.graphql import document
from connectors.shopify.mapping import customer_from_graphql, order_from_graphql, when
from connectors.shopify.mirror import (
    Known,
    upsert_customer,
    upsert_location,
    upsert_order,
    upsert_variant,
)
from core.clock import Clock
from core.errors import FatalStoreError, RetriableStoreError
from core.models import InventoryLevel, Location, Shop, SyncCursor, SyncRun, Variant
from core.ports import SyncResult

COMMIT_EVERY = 500
Writer = Callable[[Session, Shop, dict[str, Any], Api], object | None]


def _write_order(session: Session, shop: Shop, node: dict[str, Any], api: Api) -> object | None:
    """Write an order, fetching the rest of its lines when it has more than one page."""
    lines = node["lineItems"]
    while lines["pageInfo"]["hasNextPage"]:
        more = api("order_line_items", {"id": node["id"], "after": lines["pageInfo"]["endCursor"]})
        page = more["order"]["lineItems"]
        lines = {"pageInfo": page["pageInfo"], "nodes": lines["nodes"] + page["nodes"]}
    return upsert_order(session, shop, order_from_graphql(node, lines["nodes"]))


# (document, root field, page size, writer) per resource; orders come last so variants exist.
RESOURCES: dict[str, tuple[str, str, int, Writer]] = {
    "locations": (
        "locations",
        "locations",
        PAGE_SIZE,
        lambda s, shop, node, _: upsert_location(s, shop, node),
    ),
    "variants": (
        "variants_page",
        "productVariants",
        PAGE_SIZE,
        lambda s, shop, node, _: upsert_variant(s, shop, node),
    ),
    "customers": (
        "customers_page",
        "customers",
        PAGE_SIZE,
        lambda s, shop, node, _: upsert_customer(s, shop, customer_from_graphql(node)),
    ),
    "orders": ("orders_page", "orders", ORDERS_PAGE_SIZE, _write_order),
}


def _cursor(session: Session, shop: Shop, resource: str) -> SyncCursor:
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
    cursor, started = _cursor(session, shop, resource), clock.now()
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
        for node in page["nodes"]:
            fetched += 1
            upserted += write(session, shop, node, api) is not None
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


Row = tuple[dict[str, Any], list[dict[str, Any]]]


def _jsonl_orders(lines: Iterator[str]) -> Iterator[Row]:
    """Group a bulk file's rows into (order, its line items), one order at a time."""
    order: dict[str, Any] | None = None
    items: list[dict[str, Any]] = []
    for raw in lines:
        if not raw.strip():
            continue
        row = json.loads(raw)
        if "__parentId" in row:
            items.append(row)
            continue
        if order is not None:
            yield order, items
        order, items = row, []
    if order is not None:
        yield order, items


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    """Rows in lists of ``size`` (the last one shorter)."""
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk_backfill_orders(
    session: Session,
    shop: Shop,
    api: Api,
    clock: Clock,
    http_client: httpx.Client | None = None,
    poll: Callable[[float], None] = time.sleep,
    timeout: float = 3600,
) -> SyncResult:
    """Backfill every order through a bulk operation, streaming its JSONL file."""
    run = SyncRun(shop_id=shop.id, kind="bulk", resource="orders", started_at=clock.now())
    session.add(run)
    started = api("bulk_run", {"query": document("bulk_orders")})["bulkOperationRunQuery"]
    if started["userErrors"]:
        raise RetriableStoreError(
            f"bulk operation refused: {started['userErrors'][0]['message']}", retry_after=60
        )
    run.platform_ref = started["bulkOperation"]["id"]
    session.commit()
    waited, status = 0.0, {}
    while waited < timeout:
        status = api("bulk_status", {"id": run.platform_ref})["bulkOperation"]
        if status["status"] not in ("CREATED", "RUNNING"):
            break
        delay = min(5.0, 0.05 * 2 ** min(int(waited), 6) + 0.05)
        poll(delay)
        waited += delay
    if status.get("status") != "COMPLETED" or not status.get("url"):
        run.status, run.error = "failed", str(status.get("errorCode") or status.get("status"))
        session.commit()
        raise FatalStoreError(
            f"bulk operation ended {status.get('status')}: {status.get('errorCode')}"
        )
    count = 0
    client = http_client or httpx.Client(timeout=60)
    with client.stream("GET", status["url"]) as response:
        for batch in _batches(_jsonl_orders(response.iter_lines()), COMMIT_EVERY):
            known = Known.for_orders(session, shop, [node["id"] for node, _ in batch])
            with session.no_autoflush:
                for node, items in batch:
                    upsert_order(session, shop, order_from_graphql(node, items), known)
            session.commit()
            count += len(batch)
    run.status, run.finished_at, run.counts = "done", clock.now(), {"orders": count}
    _cursor(session, shop, "orders").high_water = run.started_at
    session.commit()
    return SyncResult(
        resource="orders", fetched=count, upserted=count, extra={"bulk_operation": run.platform_ref}
    )
