"""Backfill by page following X-WP-TotalPages; incremental by modified_after; safe cursors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from connectors.woocommerce import sync
from core.clock import FrozenClock
from core.models import Customer, InventoryLevel, Order, SyncCursor, Variant


def _count(db, model, shop):
    return db.scalar(select(func.count(model.id)).where(model.shop_id == shop.id))


def _bulk_orders(woo_api, product_id, count):
    for start in range(0, count, 50):
        for _ in range(min(50, count - start)):
            woo_api.post(
                "orders",
                {
                    "status": "processing",
                    "payment_method": "stripe",
                    "line_items": [{"product_id": product_id, "quantity": 1}],
                },
            )


def test_backfill_reads_every_page_and_maps_orders(db, woo_shop, woo_client, woo_api, seed):
    seeded = seed(quantity=2)
    _bulk_orders(woo_api, seeded["product"]["id"], 120)
    woo_api.post("customers", {"email": "bob@example.com", "first_name": "Bob"})
    clock = FrozenClock(datetime.now(UTC))
    results = sync.sync_all(db, woo_shop, woo_client, full=True, clock=clock)
    assert {r.resource: r.fetched for r in results} == {
        "products": 1,
        "customers": 1,
        "orders": 121,
    }
    assert _count(db, Order, woo_shop) == 121
    order = db.scalars(select(Order).where(Order.platform_id == str(seeded["order"]["id"]))).one()
    assert order.email == "ann@example.com"
    assert order.shipping_country == "DE"
    assert order.financial_status == "paid"
    assert order.fulfilled_at == datetime.fromisoformat(
        seeded["order"]["date_completed_gmt"]
    ).replace(tzinfo=UTC)  # the policy's clock
    assert order.total == Decimal("60.00")  # 2 x 25 + 20 % tax
    assert order.lines[0].discounted_unit_price == Decimal("25.00")
    assert order.lines[0].tax_lines == [{"rate_id": "1", "amount": "10.00"}]
    variant = db.scalars(select(Variant).where(Variant.shop_id == woo_shop.id)).one()
    assert order.lines[0].variant_id == variant.id
    assert variant.tags == ["summer"]
    level = db.scalars(select(InventoryLevel).where(InventoryLevel.variant_id == variant.id)).one()
    assert level.available == 10 - 2 - 120  # what the store says, negative stock included
    cursor = db.scalars(select(SyncCursor).where(SyncCursor.resource == "orders")).one()
    assert cursor.high_water == clock.now()
    assert cursor.page_cursor is None


def test_incremental_reads_only_changes_and_never_passes_the_start(
    db, woo_shop, woo_client, woo_api, seed
):
    first = seed(sku="A")
    start = datetime.now(UTC) - timedelta(seconds=5)
    sync.sync_all(db, woo_shop, woo_client, full=True, clock=FrozenClock(start))
    woo_api.put(f"orders/{first['order']['id']}", {"status": "on-hold"})
    later = seed(sku="B")
    result = sync.sync_resource(
        db,
        woo_shop,
        woo_client,
        "orders",
        full=False,
        clock=FrozenClock(datetime.now(UTC) + timedelta(hours=1)),
    )
    assert result.fetched == 2  # the changed order and the new one, not everything
    assert (
        db.scalars(select(Order).where(Order.platform_id == str(first["order"]["id"])))
        .one()
        .store_status
        == "on-hold"
    )
    cursor = db.scalars(select(SyncCursor).where(SyncCursor.resource == "orders")).one()
    newest = datetime.fromisoformat(later["order"]["date_modified_gmt"]).replace(tzinfo=UTC)
    assert cursor.high_water == newest  # min(sync start, newest seen), not the future start
    again = sync.sync_resource(
        db, woo_shop, woo_client, "orders", full=False, clock=FrozenClock(datetime.now(UTC))
    )
    assert 1 <= again.fetched <= 2  # the one-second overlap re-reads the newest...
    assert _count(db, Order, woo_shop) == 2  # ...and the upsert keeps one row per order


def test_stale_payloads_do_not_overwrite(db, woo_shop, woo_client, woo_api, seed):
    seeded = seed()
    old_payload = dict(seeded["order"])
    woo_api.put(f"orders/{seeded['order']['id']}", {"status": "cancelled"})
    fresh = woo_client.get(f"orders/{seeded['order']['id']}")
    assert sync.upsert_order(db, woo_shop, woo_client, fresh)
    old_payload["date_modified_gmt"] = "2000-01-01T00:00:00"
    assert not sync.upsert_order(db, woo_shop, woo_client, old_payload)
    order = db.scalars(select(Order).where(Order.shop_id == woo_shop.id)).one()
    assert order.store_status == "cancelled"
    assert _count(db, Customer, woo_shop) == 1  # the guest, by email


def test_variations_and_refunds_made_on_the_store(db, woo_shop, woo_client, woo_api):
    parent = woo_api.post(
        "products", {"name": "Hoodie", "type": "variable", "categories": [{"name": "Tops"}]}
    ).json()
    sizes = [
        woo_api.post(
            f"products/{parent['id']}/variations",
            {
                "sku": f"HOODIE-{size}",
                "regular_price": "50",
                "manage_stock": True,
                "stock_quantity": 5,
            },
        ).json()
        for size in ("S", "M")
    ]
    order = woo_api.post(
        "orders",
        {
            "status": "completed",
            "payment_method": "stripe",
            "billing": {"email": "kim@example.com"},
            "line_items": [
                {"product_id": parent["id"], "variation_id": sizes[1]["id"], "quantity": 3}
            ],
        },
    ).json()
    # The merchant refunds one unit by hand in wp-admin: not a Reshelf return.
    woo_api.post(
        f"orders/{order['id']}/refunds",
        {"line_items": [{"id": order["line_items"][0]["id"], "quantity": 1, "refund_total": "50"}]},
    )
    sync.sync_all(db, woo_shop, woo_client, full=True, clock=FrozenClock(datetime.now(UTC)))
    variants = db.scalars(select(Variant).order_by(Variant.sku)).all()
    assert [v.sku for v in variants] == ["HOODIE-M", "HOODIE-S"]
    assert {v.product_platform_id for v in variants} == {str(parent["id"])}
    assert variants[0].collections == ["tops"]
    line = db.scalars(select(Order)).one().lines[0]
    assert line.variant_id == variants[0].id
    assert line.refunded_quantity == 1


def test_a_variation_shows_its_product_name(db, woo_shop, woo_client, woo_api):
    parent = woo_api.post("products", {"name": "Hoodie", "type": "variable"}).json()
    size = woo_api.post(
        f"products/{parent['id']}/variations",
        {
            "sku": "HOODIE-L",
            "regular_price": "50",
            "manage_stock": True,
            "stock_quantity": 5,
            "attributes": [{"name": "Size", "option": "L"}],
        },
    ).json()
    assert size["name"] == "L"  # what the real store calls it
    order = woo_api.post(
        "orders",
        {
            "status": "processing",
            "billing": {"email": "kim@example.com"},
            "line_items": [{"product_id": parent["id"], "variation_id": size["id"], "quantity": 1}],
        },
    ).json()
    assert order["line_items"][0]["name"] == "L"
    sync.sync_all(db, woo_shop, woo_client, full=True, clock=FrozenClock(datetime.now(UTC)))
    variant = db.scalars(select(Variant)).one()
    assert (variant.product_title, variant.title) == ("Hoodie", "Hoodie - L")
    assert db.scalars(select(Order)).one().lines[0].title == "Hoodie - L"


def test_paid_is_read_from_the_status_when_the_store_gives_no_date_paid(
    db, woo_shop, woo_client, woo_api
):
    product = woo_api.post("products", {"name": "Cap", "regular_price": "19.99"}).json()
    placed = {
        status: woo_api.post(
            "orders",
            {
                "status": status,
                "payment_method": "stripe",
                "line_items": [{"product_id": product["id"], "quantity": 1}],
            },
        ).json()
        for status in ("processing", "completed", "on-hold", "pending")
    }
    # The real store leaves date_paid empty for an order created in these statuses...
    assert [placed[s]["date_paid_gmt"] for s in ("processing", "completed")] == [None, None]
    assert isinstance(placed["processing"]["line_items"][0]["price"], float)  # a JSON number
    sync.sync_all(db, woo_shop, woo_client, full=True, clock=FrozenClock(datetime.now(UTC)))
    paid = {
        order.store_status: order.financial_status
        for order in db.scalars(select(Order).where(Order.shop_id == woo_shop.id))
    }
    # ...but a processing or completed order has been paid; on-hold and pending have not.
    assert paid == {"processing": "paid", "completed": "paid", "on-hold": None, "pending": None}
    line = db.scalars(select(Order).where(Order.store_status == "processing")).one().lines[0]
    assert line.unit_price == Decimal("19.99")  # from the string subtotal, not the float
