"""The batch writes: customers, then orders, then lines (see the package's docstring)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from core.clock import SystemClock
from core.mirror_batch.fresh import NewRows, insert_new
from core.mirror_batch.lookup import by_platform_id
from core.mirror_batch.records import CustomerRecord, LineRecord, OrderRecord
from core.mirror_batch.statements import (
    LINE_KEPT,
    ORDER_KEPT,
    customer_upsert,
    line_upsert,
    order_upsert,
    table_of,
    variant_stub,
)
from core.mirror_batch.statistics import note_written
from core.models import Customer, Order, OrderLine, Shop, Variant


@dataclass
class BatchResult:
    """What a batch wrote: row ids of the orders written, platform ids of the stale ones."""

    order_ids: dict[str, int] = field(default_factory=dict)
    stale: set[str] = field(default_factory=set)


def _common(shop: Shop) -> dict[str, Any]:
    """What every row of a batch shares: the shop, and creation and change times (one read
    of the clock per batch: per row it cost more than the row's mapping)."""
    now = SystemClock().now()
    return {"shop_id": shop.id, "created_at": now, "updated_at": now}


def _older(incoming: datetime | None, stored: datetime | None) -> bool:
    return incoming is not None and stored is not None and incoming < stored


def _newest_per_id(orders: Iterable[OrderRecord]) -> dict[str, OrderRecord]:
    """One record per platform id (a page may repeat an order): the newest one wins."""
    chosen: dict[str, OrderRecord] = {}
    for order in orders:
        held = chosen.get(order.platform_id)
        if held is None or not _older(order.platform_updated_at, held.platform_updated_at):
            chosen[order.platform_id] = order
    return chosen


def upsert_customers(session: Session, shop: Shop, records: Iterable[CustomerRecord]) -> set[str]:
    """Write customers (skipping stale ones); the platform ids whose update was stale."""
    return _write_customers(session, shop, records, _common(shop))[1]


def _write_customers(
    session: Session, shop: Shop, records: Iterable[CustomerRecord], common: dict[str, Any]
) -> tuple[dict[str, int], set[str]]:
    """Row id per platform id, and the platform ids whose update was stale."""
    chosen: dict[str, CustomerRecord] = {}
    for record in records:
        held = chosen.get(record.platform_id)
        newer = not _older(record.platform_updated_at, held.platform_updated_at) if held else True
        if held is None or (record.refresh and newer):
            chosen[record.platform_id] = record
    if not chosen:
        return {}, set()
    rows = [{**common, **vars(c)} for c in chosen.values()]
    conn = session.connection()
    for refresh in (True, False):
        batch = [row for row in rows if row["refresh"] is refresh]
        if batch:
            conn.execute(customer_upsert(conn.dialect.name, refresh), batch)
    stored = by_platform_id(
        session, Customer, shop.id, chosen, Customer.id, Customer.platform_updated_at
    )
    ids, stale = {}, set()
    for pid, row_id, when in stored:
        ids[pid] = row_id
        if chosen[pid].refresh and _older(chosen[pid].platform_updated_at, when):
            stale.add(pid)
    return ids, stale


def _variants(
    session: Session, shop: Shop, lines: list[LineRecord], stubs: bool, common: dict[str, Any]
) -> dict[str, tuple[int, list[str]]]:
    """Variant row id and tags per platform id; unknown ones created as stubs if asked."""
    wanted = {line.variant_platform_id for line in lines if line.variant_platform_id}
    if not wanted:
        return {}

    def stored() -> dict[str, tuple[int, list[str]]]:
        rows = by_platform_id(session, Variant, shop.id, wanted, Variant.id, Variant.tags)
        return {pid: (row_id, tags or []) for pid, row_id, tags in rows}

    found = stored()
    missing = {line.variant_platform_id: line for line in lines} if stubs else {}
    stub_rows = [
        {
            **common,
            "platform_id": pid,
            "sku": line.sku,
            "title": line.title,
            "currency": shop.currency,
        }
        for pid, line in missing.items()
        if pid and pid not in found
    ]
    if stub_rows:  # completed later by the catalogue sync
        conn = session.connection()
        conn.execute(variant_stub(conn.dialect.name), stub_rows)
        found.update(stored())
    return found


def upsert_orders(
    session: Session,
    shop: Shop,
    orders: Sequence[OrderRecord],
    *,
    stub_variants: bool = False,
    final_sale_tag: str | None = None,
) -> BatchResult:
    """Write orders with their lines and customers; stale orders and their lines are skipped."""
    # stub_variants: a variant the mirror does not know yet is created from the line's sku
    # and title. final_sale_tag: a line is final sale when its variant carries this tag.
    chosen = _newest_per_id(orders)
    if not chosen:
        return BatchResult()
    session.flush()  # pending ORM rows (a sync run, a cursor) go first, in order
    common = _common(shop)
    customers, _ = _write_customers(
        session, shop, (o.customer for o in chosen.values() if o.customer), common
    )
    conn = session.connection()
    order_rows = [_order_row(o, customers, common) for o in chosen.values()]
    new = _write(conn, Order, order_rows)
    result = BatchResult(order_ids={pid: row_id for (_, pid), row_id in new.ids.items()})
    upserted = {row["platform_id"] for row in new.rest}
    stored = by_platform_id(session, Order, shop.id, upserted, Order.id, Order.platform_updated_at)
    for pid, row_id, when in stored:
        if _older(chosen[pid].platform_updated_at, when):
            result.stale.add(pid)
        else:
            result.order_ids[pid] = row_id
    written = [o for o in chosen.values() if o.platform_id in result.order_ids]
    lines = [line for o in written for line in o.lines]
    variants = _variants(session, shop, lines, stub_variants, common)
    line_rows = [
        _line_row(
            result.order_ids[o.platform_id], o.currency, line, variants, final_sale_tag, common
        )
        for o in written
        for line in o.lines
    ]
    if line_rows:
        _write(conn, OrderLine, line_rows)
    note_written(session, shop, len(order_rows) + len(line_rows))
    _expire_loaded_mirror_rows(session)
    return result


def _write(
    conn: Connection, model: type[Order] | type[OrderLine], rows: list[dict[str, Any]]
) -> NewRows:
    """New rows in one statement where the database allows it, the others upserted; the new
    orders' ids come back."""
    key, kept, upsert = _WRITES[model]
    new = insert_new(conn, table_of(model), key, kept, rows, ids=model is Order)
    if new.rest:
        conn.execute(upsert(conn.dialect.name), new.rest)
    return new


_WRITES = {
    Order: (("shop_id", "platform_id"), ORDER_KEPT, order_upsert),
    OrderLine: (("order_id", "platform_id"), LINE_KEPT, line_upsert),
}


def _order_row(
    order: OrderRecord, customers: dict[str, int], common: dict[str, Any]
) -> dict[str, Any]:
    row = {k: v for k, v in vars(order).items() if k not in ("lines", "customer")}
    row.update(common)
    row["customer_id"] = customers.get(order.customer.platform_id) if order.customer else None
    return row


def _line_row(
    order_id: int,
    currency: str,
    line: LineRecord,
    variants: dict[str, tuple[int, list[str]]],
    final_sale_tag: str | None,
    common: dict[str, Any],
) -> dict[str, Any]:
    variant_id, tags = variants.get(line.variant_platform_id or "", (None, []))
    final_sale = None
    if final_sale_tag is not None:
        final_sale = final_sale_tag in {t.lower() for t in tags}
    return {
        **vars(line),
        **common,
        "order_id": order_id,
        "currency": currency,
        "variant_id": variant_id,
        "final_sale": final_sale,
    }


def _expire_loaded_mirror_rows(session: Session) -> None:
    """Rows written behind the ORM's back: objects already loaded must read them again."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Order | OrderLine | Customer | Variant):
            session.expire(obj)
