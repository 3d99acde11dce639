"""Deliveries as a real store sends them: two changes in one second, products come and go.

The emulator's clock is frozen so that two changes share their ``date_modified_gmt`` and
their ``X-WC-Webhook-Delivery-ID``, as they do on a real store within one second.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import select

from connectors.woocommerce import install, sync
from core.clock import FrozenClock, SystemClock
from core.enums import InboxStatus
from core.models import InboxDelivery, InventoryLevel, Order, Variant
from core.services import process_delivery


def _deliveries(db, topic):
    db.expire_all()
    return list(
        db.scalars(
            select(InboxDelivery).where(InboxDelivery.topic == topic).order_by(InboxDelivery.id)
        )
    )


def _level(db, shop, platform_id):
    db.expire_all()
    return db.scalar(
        select(InventoryLevel.available)
        .join(Variant, InventoryLevel.variant_id == Variant.id)
        .where(Variant.shop_id == shop.id, Variant.platform_id == str(platform_id))
    )


@pytest.fixture
def one_second(woo):
    """Freeze the store's clock on one second (later than anything made so far)."""
    second = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    woo[0].store.set_clock(lambda: second)
    return second


@pytest.mark.parametrize("order", ["as-sent", "reversed"])
def test_two_stock_changes_in_one_second_both_count(
    db, reshelf, woo, woo_shop, woo_api, woo_client, connector, one_second, order
):
    emulator = woo[0]
    install.subscribe(woo_shop, reshelf)
    product = woo_api.post(
        "products", {"name": "Tee", "sku": "TEE", "manage_stock": True, "stock_quantity": 10}
    ).json()
    assert emulator.dispatcher.drain()
    sync.sync_all(db, woo_shop, woo_client, full=True, clock=FrozenClock(datetime.now(UTC)))
    for stock in (9, 8):  # two sales in the same second, each delivered
        woo_api.put(f"products/{product['id']}", {"stock_quantity": stock})
        assert emulator.dispatcher.drain()
    sent = [
        r for r in emulator.dispatcher.log if r.headers["X-WC-Webhook-Topic"] == "product.updated"
    ]
    assert [json.loads(r.body)["stock_quantity"] for r in sent] == [9, 8]
    # What the real store does within one second: same stamp, same delivery id.
    assert len({json.loads(r.body)["date_modified_gmt"] for r in sent}) == 1
    assert len({r.headers["X-WC-Webhook-Delivery-ID"] for r in sent}) == 1
    stored = _deliveries(db, "product.updated")
    assert len(stored) == 2  # two bodies: two deliveries, neither dropped as a duplicate
    for delivery in stored if order == "as-sent" else reversed(stored):
        process_delivery(db, delivery.id, connector, SystemClock())
    # Whatever the order they are applied in, the mirror ends on the store's newer state.
    assert _level(db, woo_shop, product["id"]) == 8


def test_a_replayed_delivery_is_still_one_row(db, reshelf, woo, woo_shop, woo_api, one_second):
    install.subscribe(woo_shop, reshelf)
    woo_api.post("products", {"name": "Tee", "manage_stock": True, "stock_quantity": 3})
    assert woo[0].dispatcher.drain()
    record = next(
        r for r in woo[0].dispatcher.log if r.headers["X-WC-Webhook-Topic"] == "product.created"
    )
    again = requests.post(
        f"{reshelf}/webhooks/woocommerce/{woo_shop.key}",
        data=record.body,
        headers=record.headers,
        timeout=5,
    )
    assert again.status_code == 200
    assert len(_deliveries(db, "product.created")) == 1


def test_products_created_deleted_and_restored_reach_the_mirror(
    db, reshelf, woo, woo_shop, woo_api, connector
):
    emulator = woo[0]
    install.subscribe(woo_shop, reshelf)
    kept = woo_api.post("products", {"name": "Cap", "manage_stock": True, "stock_quantity": 4})
    gone = woo_api.post("products", {"name": "Mug", "manage_stock": True, "stock_quantity": 2})
    kept, gone = kept.json(), gone.json()
    assert emulator.dispatcher.drain()
    for delivery in _deliveries(db, "product.created"):
        process_delivery(db, delivery.id, connector, SystemClock())
    # No backfill ran: the new products came in by their product.created deliveries.
    assert (_level(db, woo_shop, kept["id"]), _level(db, woo_shop, gone["id"])) == (4, 2)

    woo_api.delete(f"products/{kept['id']}")  # to the trash
    assert emulator.dispatcher.drain()
    emulator.restore_product(kept["id"])
    assert emulator.dispatcher.drain()
    woo_api.delete(f"products/{gone['id']}", params={"force": "true"})  # deleted for good
    assert emulator.dispatcher.drain()
    for topic in ("product.deleted", "product.restored"):
        for delivery in _deliveries(db, topic):
            process_delivery(db, delivery.id, connector, SystemClock())
            assert delivery.status == InboxStatus.PROCESSED, (topic, delivery.error)
    assert len(_deliveries(db, "product.deleted")) == 2
    assert _level(db, woo_shop, kept["id"]) == 4  # trashed and restored: still mirrored
    variant = db.scalars(select(Variant).where(Variant.platform_id == str(gone["id"]))).one()
    assert variant.tracks_inventory is False  # gone from the store: no stock to compare
    assert _level(db, woo_shop, gone["id"]) is None


def test_two_order_changes_in_one_second_end_on_the_newer_status(
    db, reshelf, woo, woo_shop, woo_api, connector, one_second, seed
):
    emulator = woo[0]
    install.subscribe(woo_shop, reshelf)
    order = seed()["order"]
    assert emulator.dispatcher.drain()
    for status in ("on-hold", "processing"):
        woo_api.put(f"orders/{order['id']}", {"status": status})
        assert emulator.dispatcher.drain()
    updates = _deliveries(db, "order.updated")
    assert [json.loads(d.body)["status"] for d in updates] == ["on-hold", "processing"]
    for delivery in [*_deliveries(db, "order.created"), *reversed(updates)]:
        process_delivery(db, delivery.id, connector, SystemClock())
    db.expire_all()
    assert db.scalars(select(Order.store_status)).one() == "processing"
