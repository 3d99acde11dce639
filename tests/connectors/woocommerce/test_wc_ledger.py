"""Restock, refund, store credit and order notes on the store, each exactly once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from connectors.woocommerce.connector import WooCommerceConnector
from core.clock import FrozenClock
from core.enums import LedgerState, ResolutionKind
from core.errors import FatalStoreError
from core.models import StockMovement
from core.ports import RecordingDispatcher
from core.services import apply_movement, apply_settlement, push_return, resolve_return
from tests.connectors.woocommerce.returns import graded_return as _graded_return


@pytest.fixture
def now():
    return FrozenClock(datetime.now(UTC))


def _stock(woo_client, product):
    return woo_client.get(f"products/{product['id']}")["stock_quantity"]


@pytest.mark.parametrize(
    "plugin_installed", [True, False], ids=["plugin", "inventory_delta"], indirect=True
)
def test_restock_happens_once_even_when_applied_twice(db, woo_shop, woo_client, seed, now):
    seeded = seed(stock=10, quantity=2)
    request = _graded_return(db, woo_shop, woo_client, seeded["order"], now, units=2)
    movement = db.scalars(select(StockMovement)).one()
    connector = WooCommerceConnector(woo_shop, public_url="http://127.0.0.1:9")
    assert _stock(woo_client, seeded["product"]) == 8
    apply_movement(db, movement.id, connector, now)
    # A second worker that never saw the first one's commit applies it again.
    movement.state = LedgerState.PENDING
    db.commit()
    apply_movement(db, movement.id, connector, now)
    assert _stock(woo_client, seeded["product"]) == 10
    assert movement.quantity_after == 10
    assert request.lines[0].location_id is not None


def test_refund_never_restocks_again_and_is_made_once(db, woo_shop, woo_client, seed, now):
    seeded = seed(stock=10, quantity=2)
    request = _graded_return(db, woo_shop, woo_client, seeded["order"], now)
    connector = WooCommerceConnector(woo_shop, public_url="http://127.0.0.1:9")
    apply_movement(db, db.scalars(select(StockMovement)).one().id, connector, now)
    (settlement,) = resolve_return(
        db,
        shop_id=woo_shop.id,
        return_id=request.id,
        actor="desk",
        clock=now,
        dispatcher=RecordingDispatcher(),
    )
    apply_settlement(db, settlement.id, connector, now)
    settlement.state = LedgerState.PENDING  # as if the answer was lost
    db.commit()
    apply_settlement(db, settlement.id, connector, now)
    refunds = woo_client.get(f"orders/{seeded['order']['id']}/refunds")
    assert len(refunds) == 1
    assert refunds[0]["amount"] == "30.00"  # 25 + 20 % tax
    assert refunds[0]["refunded_payment"] is True  # stripe refunds by itself
    assert _stock(woo_client, seeded["product"]) == 9  # restocked by Reshelf only, once


def test_manual_gateway_refund_is_recorded_with_a_note(db, woo_shop, woo_client, seed, now):
    seeded = seed(stock=5, quantity=1, gateway="bacs")
    request = _graded_return(db, woo_shop, woo_client, seeded["order"], now)
    connector = WooCommerceConnector(woo_shop, public_url="http://127.0.0.1:9")
    (settlement,) = resolve_return(
        db,
        shop_id=woo_shop.id,
        return_id=request.id,
        actor="desk",
        clock=now,
        dispatcher=RecordingDispatcher(),
    )
    apply_settlement(db, settlement.id, connector, now)
    (refund,) = woo_client.get(f"orders/{seeded['order']['id']}/refunds")
    assert refund["refunded_payment"] is False
    notes = [n["note"] for n in woo_client.get(f"orders/{seeded['order']['id']}/notes")]
    assert any("pay this amount to the customer by hand" in n for n in notes)


def test_store_credit_is_one_coupon_for_the_shopper(db, woo_shop, woo_client, seed, now):
    seeded = seed(quantity=1)
    request = _graded_return(
        db, woo_shop, woo_client, seeded["order"], now, resolution=ResolutionKind.STORE_CREDIT
    )
    connector = WooCommerceConnector(woo_shop, public_url="http://127.0.0.1:9")
    (settlement,) = resolve_return(
        db,
        shop_id=woo_shop.id,
        return_id=request.id,
        actor="desk",
        clock=now,
        dispatcher=RecordingDispatcher(),
    )
    apply_settlement(db, settlement.id, connector, now)
    settlement.state = LedgerState.PENDING
    db.commit()
    apply_settlement(db, settlement.id, connector, now)
    coupons = woo_client.get("coupons")
    assert len(coupons) == 1
    assert coupons[0]["email_restrictions"] == ["ann@example.com"]
    assert coupons[0]["usage_limit"] == 1
    assert settlement.store_reference == str(coupons[0]["id"])


def test_push_return_notes_and_plugin_status(db, woo_shop, woo_client, seed, now):
    seeded = seed(quantity=1)
    request = _graded_return(db, woo_shop, woo_client, seeded["order"], now)
    connector = WooCommerceConnector(woo_shop, public_url="http://127.0.0.1:9")
    push_return(db, request.id, connector, now)
    push_return(db, request.id, connector, now)
    order = woo_client.get(f"orders/{seeded['order']['id']}")
    assert order["status"] == "returned"
    notes = [n["note"] for n in woo_client.get(f"orders/{seeded['order']['id']}/notes")]
    assert notes.count(f"Reshelf return {request.rma}: graded.") == 1


@pytest.mark.parametrize("plugin_installed", [False], ids=["no-plugin"], indirect=True)
def test_without_plugin_or_inventory_delta_the_restock_is_refused_not_faked(
    db, woo, woo_shop, woo_client, seed, now
):
    woo[0].store.inventory_delta = False  # an older WooCommerce
    seeded = seed(stock=10, quantity=1)
    _graded_return(db, woo_shop, woo_client, seeded["order"], now)
    movement = db.scalars(select(StockMovement)).one()
    connector = WooCommerceConnector(woo_shop, public_url="http://127.0.0.1:9")
    with pytest.raises(FatalStoreError, match="install the Reshelf Returns plugin"):
        apply_movement(db, movement.id, connector, now)
    assert movement.state == LedgerState.FAILED
    assert _stock(woo_client, seeded["product"]) == 9


@pytest.mark.parametrize("plugin_installed", [False], ids=["no-plugin"], indirect=True)
def test_variation_restock_by_delta_leaves_its_marker(db, woo_shop, woo_client, woo_api, now):
    parent = woo_api.post("products", {"name": "Hoodie", "type": "variable"}).json()
    size = woo_api.post(
        f"products/{parent['id']}/variations",
        {"sku": "HOODIE-M", "regular_price": "50", "manage_stock": True, "stock_quantity": 4},
    ).json()
    order = woo_api.post(
        "orders",
        {
            "status": "completed",
            "payment_method": "stripe",
            "billing": {"email": "kim@example.com"},
            "line_items": [{"product_id": parent["id"], "variation_id": size["id"], "quantity": 1}],
        },
    ).json()
    _graded_return(db, woo_shop, woo_client, order, now)
    movement = db.scalars(select(StockMovement)).one()
    connector = WooCommerceConnector(woo_shop, public_url="http://127.0.0.1:9")
    apply_movement(db, movement.id, connector, now)
    variation = woo_client.get(f"products/{parent['id']}/variations/{size['id']}")
    assert variation["stock_quantity"] == 4
    keys = [m["key"] for m in variation["meta_data"]]
    assert keys == [f"reshelf_movement_{movement.idempotency_key}"]
    assert movement.store_answer == {
        "via": "inventory_delta",
        "already_applied": False,
        "verified": True,  # the stock read back is the stock before plus the units
    }
