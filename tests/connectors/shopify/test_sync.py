"""Backfill and reconciliation against the emulator over HTTP."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import delete, select

from connectors.shopify.connector import SYNC_ORDER
from core.clock import SystemClock
from core.mirror_batch.fresh import MIN_ROWS
from core.models import Customer, InventoryLevel, Location, Order, SyncCursor, Variant


def _backfill(db, connector, clock):
    return {
        resource: connector.sync(db, resource, full=True, clock=clock) for resource in SYNC_ORDER
    }


def test_backfill_mirrors_catalogue_customers_orders_and_stock(db, connector, clock, catalogue):
    results = _backfill(db, connector, clock)
    assert results["orders"].fetched == 2
    assert {v.sku for v in db.scalars(select(Variant))} == {"SH-1", "CAP-1"}
    shirt = db.scalars(select(Variant).where(Variant.sku == "SH-1")).one()
    assert shirt.product_type == "Tops"
    assert shirt.tags == ["summer"]
    assert shirt.collections == ["linen"]
    assert (
        shirt.inventory_item_id
        == f"gid://shopify/InventoryItem/{catalogue['shirt'].inventory_item_id}"
    )
    customer = db.scalars(select(Customer)).one()
    assert (customer.email, customer.tags) == ("ann@example.com", ["vip"])
    assert (customer.orders_count, customer.total_spent) == (2, Decimal("84.00"))  # loyalty
    first = db.scalars(
        select(Order).where(Order.platform_id == f"gid://shopify/Order/{catalogue['orders'][0].id}")
    ).one()
    assert first.number == catalogue["orders"][0].name.lstrip("#")
    assert [(line.sku, line.quantity, line.variant_id is not None) for line in first.lines] == [
        ("SH-1", 2, True),
        ("CAP-1", 1, True),
    ]
    assert first.customer_id == customer.id
    assert first.fulfilled_at is not None
    assert first.payment_gateways == ["manual"]
    location = db.scalars(select(Location)).one()
    assert location.is_default
    level = db.scalars(select(InventoryLevel).where(InventoryLevel.variant_id == shirt.id)).one()
    assert level.available == 8  # 10 seeded, 2 shipped


def test_cursor_never_passes_the_sync_start_and_reconcile_reads_changes(
    db, connector, seeder, store
):
    clock = SystemClock()
    cap = seeder.product(store, "Cap", [{"sku": "CAP", "stock": 9}])[0]
    for days in (2, 1):
        seeder.order(
            store, None, [(cap, 1)], fulfil=False, created_at=clock.now() - timedelta(days=days)
        )
    before = clock.now()
    connector.sync(db, "orders", full=True, clock=clock)
    cursor = db.scalars(select(SyncCursor).where(SyncCursor.resource == "orders")).one()
    # min(sync start, newest seen): the newest order, a day old, not the moment the sync ran
    assert cursor.high_water < before - timedelta(hours=23)
    later = seeder.order(store, None, [(cap, 1)])
    result = connector.sync(db, "orders", full=False, clock=clock)
    # the boundary order is read again (inclusive), the older one is not, the new one is
    assert result.fetched == 2
    assert db.scalars(
        select(Order).where(Order.platform_id == f"gid://shopify/Order/{later.id}")
    ).one()


def test_bulk_backfill_streams_every_order(db, connector, clock, catalogue, seeder, store):
    connector.sync(db, "variants", full=True, clock=clock)
    for _ in range(5):
        seeder.order(store, None, [(catalogue["shirt"], 1)])
    result = connector.bulk_backfill(db, clock)
    assert result.fetched == 7
    orders = db.scalars(select(Order)).all()
    assert len(orders) == 7
    assert all(order.lines for order in orders)


def test_orders_with_more_lines_than_a_page_are_read_whole(db, connector, seeder, store):
    specs = [{"sku": f"SKU-{n}", "price": "5.00", "stock": 5} for n in range(13)]
    variants = seeder.product(store, "Sticker", specs)
    seeder.order(store, None, [(v, 1) for v in variants])
    connector.sync(db, "orders", full=True, clock=SystemClock())
    order = db.scalars(select(Order)).one()
    assert sorted(str(line.sku) for line in order.lines) == sorted(str(s["sku"]) for s in specs)


def _mirrored(db):
    """Each mirrored order and its lines, as values (no row ids, no times of writing)."""
    skip = {"id", "order_id", "customer_id", "variant_id", "created_at", "updated_at"}

    def values(row):
        return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in skip}

    orders = db.scalars(select(Order)).all()
    return {
        o.platform_id: (
            values(o),
            o.customer.platform_id if o.customer else None,
            sorted((values(line) for line in o.lines), key=str),
        )
        for o in orders
    }


def test_bulk_and_paginated_backfills_mirror_the_same_orders(
    db, connector, clock, catalogue, seeder, store
):
    """A bulk batch's new rows take one INSERT per table on PostgreSQL (``fresh``), a
    page's the row-by-row upsert: both must leave the same mirror."""
    connector.sync(db, "variants", full=True, clock=clock)
    for n in range(MIN_ROWS + 5):
        seeder.order(store, None, [(catalogue["shirt"], 1 + n % 3), (catalogue["cap"], 1)])
    connector.sync(db, "orders", full=True, clock=clock)
    paged = _mirrored(db)
    db.execute(delete(Order))
    db.commit()
    connector.bulk_backfill(db, clock)
    db.expire_all()
    assert len(paged) >= MIN_ROWS + 5
    assert _mirrored(db) == paged


def test_a_webhook_order_and_the_same_order_by_backfill_mirror_the_same_rows(
    db, connector, clock, catalogue, seeder, store, web_post
):
    """The ``orders/updated`` REST body and the backfill's GraphQL node are two shapes of
    one order: each mapped once, they must leave the same mirror rows."""
    from sandbox.shopify import state as st
    from sandbox.shopify.payloads import order_payload

    shirt, cap = catalogue["shirt"], catalogue["cap"]
    refunded = catalogue["orders"][0]
    line = refunded.line_items[0]
    refunded.refunds.append(st.Refund(st.next_id(), line.price, "merchant", [(line.id, 1)]))
    seeder.order(store, None, [(shirt, 3), (cap, 2)], fulfil=False, tags=["gift", "vip"])
    connector.sync(db, "variants", full=True, clock=clock)
    for order in store.orders.values():
        assert web_post("orders/updated", order_payload(store, order)).error is None
    by_webhook = _mirrored(db)
    db.execute(delete(Order))
    db.commit()
    connector.sync(db, "orders", full=True, clock=clock)
    db.expire_all()
    by_backfill = _mirrored(db)
    assert len(by_webhook) == 3
    # A REST fulfillment has no delivery time; only GraphQL's Fulfillment.deliveredAt sets it.
    for values, _, _ in by_backfill.values():
        values.pop("delivered_at")
    for values, _, _ in by_webhook.values():
        assert values.pop("delivered_at") is None
    assert by_webhook == by_backfill
    refunded_lines = by_webhook[f"gid://shopify/Order/{refunded.id}"][2]
    assert sorted(li["refunded_quantity"] for li in refunded_lines) == [0, 1]
