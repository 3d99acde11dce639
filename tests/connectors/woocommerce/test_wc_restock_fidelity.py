"""Restock as a real WooCommerce store answers it (issue 15, points 3 and 4)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from connectors.woocommerce import install, sync
from connectors.woocommerce.connector import WooCommerceConnector
from core.clock import FrozenClock, SystemClock
from core.enums import LedgerState
from core.errors import FatalStoreError
from core.models import DriftReport, InboxDelivery, InventoryLevel, StockMovement
from core.services import apply_movement, process_delivery
from tests.connectors.woocommerce.returns import graded_return
from worker.reconcile import check_drift

no_plugin = pytest.mark.parametrize("plugin_installed", [False], ids=["no-plugin"], indirect=True)
either = pytest.mark.parametrize(
    "plugin_installed", [True, False], ids=["plugin", "inventory_delta"], indirect=True
)


@pytest.fixture
def now():
    return FrozenClock(datetime.now(UTC))


def _connector(shop):
    return WooCommerceConnector(shop, public_url="http://127.0.0.1:9")


def _stock(client, product):
    return client.get(f"products/{product['id']}")["stock_quantity"]


def _movement(db):
    return db.scalars(select(StockMovement)).one()


@no_plugin
def test_an_older_woocommerce_is_refused_by_its_version(db, woo, woo_shop, woo_client, seed, now):
    woo[0].store.wc_version = "3.5.3"  # before the products controller read inventory_delta
    seeded = seed(stock=10, quantity=1)
    graded_return(db, woo_shop, woo_client, seeded["order"], now)
    movement = _movement(db)
    with pytest.raises(FatalStoreError, match=r"WooCommerce 3\.5\.3.*install the Reshelf Returns"):
        apply_movement(db, movement.id, _connector(woo_shop), now)
    assert movement.state == LedgerState.FAILED
    assert _stock(woo_client, seeded["product"]) == 9
    product = woo_client.get(f"products/{seeded['product']['id']}")
    assert product["meta_data"] == []  # nothing written on the store


@no_plugin
def test_a_delta_the_store_ignores_is_caught_by_reading_the_stock_back(
    db, woo, woo_shop, woo_client, seed, now
):
    woo[0].store.inventory_delta = False  # a recent version that drops the argument anyway
    seeded = seed(stock=10, quantity=1)
    graded_return(db, woo_shop, woo_client, seeded["order"], now)
    movement = _movement(db)
    with pytest.raises(FatalStoreError, match="ignored inventory_delta"):
        apply_movement(db, movement.id, _connector(woo_shop), now)
    assert movement.state == LedgerState.FAILED
    # Replayed after the store was fixed: the marker left behind is not taken for a restock.
    woo[0].store.inventory_delta = True
    movement.state = LedgerState.PENDING
    db.commit()
    apply_movement(db, movement.id, _connector(woo_shop), now)
    assert _stock(woo_client, seeded["product"]) == 10
    assert movement.store_answer["already_applied"] is False


@either
def test_an_item_without_managed_stock_is_told_not_failed(
    db, woo_shop, woo_client, woo_api, seed, now
):
    seeded = seed(stock=10, quantity=1)
    graded_return(db, woo_shop, woo_client, seeded["order"], now)
    woo_api.put(f"products/{seeded['product']['id']}", {"manage_stock": False})
    movement = _movement(db)
    apply_movement(db, movement.id, _connector(woo_shop), now)
    assert movement.state == LedgerState.APPLIED  # nothing left to retry
    assert movement.store_answer["stock_managed"] is False
    assert movement.quantity_after is None
    request = movement.return_line.request
    assert "does not track stock in WooCommerce" in (request.attention or "")
    assert "Tee TEE" in (request.attention or "")
    # The store counts no stock for it, so the reconciliation has nothing to compare.
    assert check_drift(db, woo_shop, _connector(woo_shop), now) == 0


def test_a_product_deleted_after_its_restock_does_not_break_the_reconciliation(
    db, reshelf, woo, woo_shop, woo_client, woo_api, seed, now
):
    install.subscribe(woo_shop, reshelf)
    seeded = seed(stock=10, quantity=1)
    graded_return(db, woo_shop, woo_client, seeded["order"], now)
    connector = _connector(woo_shop)
    apply_movement(db, _movement(db).id, connector, now)
    woo_api.delete(f"products/{seeded['product']['id']}", params={"force": "true"})
    assert woo[0].dispatcher.drain()
    db.expire_all()
    (deleted,) = db.scalars(select(InboxDelivery).where(InboxDelivery.topic == "product.deleted"))
    process_delivery(db, deleted.id, connector, SystemClock())
    assert check_drift(db, woo_shop, connector, now) == 0  # no store call for a gone product


@pytest.mark.parametrize("later", [0, 1], ids=["same-second", "a-second-later"])
def test_a_plugin_restock_is_not_reported_as_drift(
    db, reshelf, woo, woo_shop, woo_client, seed, now, later
):
    emulator = woo[0]
    second = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    emulator.store.set_clock(lambda: second)
    install.subscribe(woo_shop, reshelf)
    seeded = seed(stock=10, quantity=2)  # the sale's product.updated says 8
    assert emulator.dispatcher.drain()
    sync.sync_all(db, woo_shop, woo_client, full=True, clock=now)
    graded_return(db, woo_shop, woo_client, seeded["order"], now, units=2)
    emulator.store.set_clock(lambda: second + timedelta(seconds=later))
    connector = _connector(woo_shop)
    apply_movement(db, _movement(db).id, connector, now)
    assert emulator.dispatcher.drain()
    assert _stock(woo_client, seeded["product"]) == 10
    # The real store delivers nothing after the plugin's restock...
    topics = [r.headers["X-WC-Webhook-Topic"] for r in emulator.dispatcher.log]
    assert topics.count("product.updated") == 1
    # ...and the sale's delivery, applied late, must not take the mirror back to 8.
    db.expire_all()
    (late,) = db.scalars(select(InboxDelivery).where(InboxDelivery.topic == "product.updated"))
    assert json.loads(late.body)["stock_quantity"] == 8
    process_delivery(db, late.id, connector, SystemClock())
    assert db.scalars(select(InventoryLevel.available)).one() == 10
    assert check_drift(db, woo_shop, connector, now) == 0
    assert db.scalars(select(DriftReport)).all() == []


@no_plugin
def test_a_store_that_does_not_tell_its_version_is_not_trusted_with_a_delta(
    db, woo, woo_shop, woo_client, seed, now
):
    seeded = seed(stock=10, quantity=1)
    graded_return(db, woo_shop, woo_client, seeded["order"], now)
    movement = _movement(db)
    woo[0].store.wc_version = ""  # a System status without a version in it
    with pytest.raises(FatalStoreError, match="install the Reshelf Returns plugin"):
        apply_movement(db, movement.id, _connector(woo_shop), now)
    assert _stock(woo_client, seeded["product"]) == 9
    assert woo_client.get(f"products/{seeded['product']['id']}")["meta_data"] == []
