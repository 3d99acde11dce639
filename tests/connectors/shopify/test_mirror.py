"""Shopify records through the batch mirror: refunds, fulfilment, stale webhooks, stubs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from connectors.shopify.mapping import order_from_graphql
from connectors.shopify.sync import upsert_order, upsert_orders
from core.enums import Channel, ResolutionKind, ResolutionState, ReturnStatus
from core.mirror_batch import OrderRecord
from core.models import Order, ReturnLine, ReturnRequest, Shop, Variant

T0 = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def _price(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


def _order(
    shop: Shop, current: int = 3, updated: datetime = T0, fulfilled: bool = False
) -> OrderRecord:
    """An ``Order`` node of three tees, ``current`` of them not refunded, as its record."""
    line = {
        "id": "gid://shopify/LineItem/1",
        "variant": {"id": "gid://shopify/ProductVariant/7"},
        "sku": "TEE",
        "title": "Tee",
        "quantity": 3,
        "currentQuantity": current,
        "originalUnitPriceSet": _price("20.00"),
        "discountedUnitPriceAfterAllDiscountsSet": _price("20.00"),
    }
    node = {
        "id": "gid://shopify/Order/1",
        "name": "#1001",
        "email": "ann@example.com",
        "currencyCode": "USD",
        "totalPriceSet": _price("60.00"),
        "displayFinancialStatus": "PAID",
        "processedAt": T0.isoformat(),
        "updatedAt": updated.isoformat(),
        "shippingAddress": {"countryCodeV2": "DE"},
        "fulfillments": [{"createdAt": T0.isoformat()}] if fulfilled else [],
        "lineItems": {"nodes": [line]},
    }
    return order_from_graphql(shop, node)


def test_units_refunded_by_reshelf_itself_are_not_counted_as_store_refunds(db, factory):
    shop = factory.shop()
    order_id = upsert_order(db, shop, _order(shop, fulfilled=True))
    order = db.get(Order, order_id)
    line = order.lines[0]
    assert (line.fulfilled_quantity, line.refunded_quantity) == (3, 0)
    request = ReturnRequest(
        shop_id=shop.id,
        order_id=order.id,
        rma="AAA-001",
        status=ReturnStatus.CLOSED,
        channel=Channel.PORTAL,
        currency="USD",
        requested_at=T0,
    )
    db.add(request)
    db.flush()
    db.add(
        ReturnLine(
            shop_id=shop.id,
            return_id=request.id,
            order_line_id=line.id,
            quantity=1,
            received_quantity=1,
            resolution=ResolutionKind.REFUND,
            resolution_state=ResolutionState.DONE,
            currency="USD",
        )
    )
    db.commit()
    # Two units refunded on the store: one is Reshelf's settled return, one the merchant's.
    upsert_order(db, shop, _order(shop, current=1, updated=T0 + timedelta(hours=1)))
    db.commit()
    line = db.get(Order, order_id).lines[0]
    assert line.refunded_quantity == 1
    assert line.fulfilled_quantity == 3  # a payload without fulfillments keeps what was known


def test_a_stale_webhook_returns_none_and_unknown_variants_become_stubs(db, factory):
    shop = factory.shop()
    assert upsert_order(db, shop, _order(shop, updated=T0 + timedelta(minutes=1))) is not None
    assert upsert_order(db, shop, _order(shop, current=0, updated=T0)) is None
    result = upsert_orders(db, shop, [_order(shop, updated=T0 + timedelta(minutes=1))])
    db.commit()
    assert not result.stale
    stub = db.scalars(select(Variant)).one()
    assert (stub.platform_id, stub.sku, stub.currency) == (
        "gid://shopify/ProductVariant/7",
        "TEE",
        shop.currency,
    )
    assert db.scalars(select(Order)).one().lines[0].refunded_quantity == 0
