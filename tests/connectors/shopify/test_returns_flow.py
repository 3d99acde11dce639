"""Returns through Shopify's own returns, against the emulator: create, restock, refund, close.

Each store-changing step is also run twice, and "crashed" (the store call done, the
database step lost), to prove stock and refunds still end exactly right.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from connectors.shopify.connector import SYNC_ORDER
from core.clock import SystemClock
from core.enums import Disposition, Grade, LedgerState, ReturnStatus
from core.models import Location, Order, ReturnRequest, Settlement, StockMovement
from core.services import (
    LineRequest,
    apply_movement,
    apply_settlement,
    close_return,
    ensure_default_policy,
    grade_line,
    mark_in_transit,
    push_return,
    receive_return,
    request_return,
    resolve_return,
)

SYS = SystemClock()


@pytest.fixture
def flow(db, connector, seeder, store, shop_row, dispatcher):
    """A mirrored shop with one delivered order of two shirts (10 in stock, 8 after shipping)."""
    shirt = seeder.product(store, "Shirt", [{"sku": "SH-1", "price": "30.00", "stock": 10}])[0]
    ann = seeder.customer(store, "ann@example.com")
    placed = seeder.order(store, ann, [(shirt, 2)])
    for resource in SYNC_ORDER:
        connector.sync(db, resource, full=True, clock=SYS)
    ensure_default_policy(db, shop_row.id, SYS)
    db.commit()
    order = db.scalars(select(Order)).one()
    return {"shirt": shirt, "placed": placed, "order": order}


def _request(db, shop_row, order, dispatcher) -> ReturnRequest:
    return request_return(
        db,
        shop_id=shop_row.id,
        order_id=order.id,
        actor="shopper",
        clock=SYS,
        dispatcher=dispatcher,
        lines=[LineRequest(order.lines[0].id, 2)],
    )


def _who(shop_row, request, dispatcher):
    return {
        "shop_id": shop_row.id,
        "return_id": request.id,
        "actor": "desk",
        "clock": SYS,
        "dispatcher": dispatcher,
    }


def _receive_and_grade(db, shop_row, request, dispatcher):
    kw = {
        "shop_id": shop_row.id,
        "return_id": request.id,
        "actor": "desk",
        "clock": SYS,
        "dispatcher": dispatcher,
    }
    mark_in_transit(db, **kw)
    receive_return(db, received={request.lines[0].id: 2}, **kw)
    grade_line(
        db,
        shop_id=shop_row.id,
        return_line_id=request.lines[0].id,
        grade=Grade.LIKE_NEW,
        disposition=Disposition.RESTOCK,
        actor="bench",
        clock=SYS,
        dispatcher=dispatcher,
    )
    return db.scalars(select(StockMovement)).one()


def test_portal_return_restocks_refunds_and_closes_once(
    db, connector, seeder, store, shop_row, dispatcher, flow
):
    request = _request(db, shop_row, flow["order"], dispatcher)
    assert request.status == ReturnStatus.APPROVED
    push_return(db, request.id, connector, SYS)
    shopify_return = store.returns[int(request.platform_return_id.rsplit("/", 1)[1])]
    assert shopify_return.status == "OPEN"
    push_return(db, request.id, connector, SYS)  # again: nothing new in Shopify
    assert len(store.returns) == 1

    movement = _receive_and_grade(db, shop_row, request, dispatcher)
    assert seeder.stock(store, flow["shirt"]) == 8
    connector.apply_movement(db, movement)  # the store call succeeds, then the worker dies
    db.rollback()
    for _ in range(2):  # the retried job, and a duplicate of it
        apply_movement(db, movement.id, connector, SYS)
    assert seeder.stock(store, flow["shirt"]) == 10  # exactly the two restocked units
    assert db.get(StockMovement, movement.id).state == LedgerState.APPLIED
    location = db.scalars(select(Location)).one()
    assert db.get(StockMovement, movement.id).location_id == location.id

    settlement = resolve_return(
        db,
        shop_id=shop_row.id,
        return_id=request.id,
        actor="desk",
        clock=SYS,
        dispatcher=dispatcher,
    )[0]
    connector.apply_settlement(db, settlement)  # refunded on Shopify, answer lost
    db.rollback()
    for _ in range(2):
        apply_settlement(db, settlement.id, connector, SYS)
    placed = store.orders[flow["placed"].id]
    assert [r.amount for r in placed.refunds] == [Decimal("60.00")]
    assert db.get(Settlement, settlement.id).state == LedgerState.APPLIED
    assert shopify_return.status == "CLOSED"
    assert "reshelf-return" in placed.tags
    assert request.rma in placed.note

    close_return(
        db,
        shop_id=shop_row.id,
        return_id=request.id,
        actor="desk",
        clock=SYS,
        dispatcher=dispatcher,
    )
    push_return(db, request.id, connector, SYS)
    assert shopify_return.status == "CLOSED"


def test_order_without_shopify_return_restocks_with_compare_and_swap(
    db, connector, seeder, store, shop_row, dispatcher, flow
):
    request = _request(db, shop_row, flow["order"], dispatcher)  # never pushed to Shopify
    movement = _receive_and_grade(db, shop_row, request, dispatcher)
    sold_meanwhile = {"done": False}
    real_api = connector.api

    def api_with_a_sale_in_between(name, variables=None):
        answer = real_api(name, variables)
        if name == "inventory_levels" and not sold_meanwhile["done"]:
            sold_meanwhile["done"] = True  # a sale lands between our read and our adjust
            from sandbox.shopify.inventory import adjust

            adjust(
                store, flow["shirt"].inventory_item_id, next(iter(store.locations)), "available", -1
            )
        return answer

    connector.api = api_with_a_sale_in_between
    answer = connector.apply_movement(db, movement)
    assert answer.quantity_after == 9  # 8 - 1 sold + 2 restocked, after one stale comparison
    connector.api = real_api
    apply_movement(db, movement.id, connector, SYS)  # replay under the same key: no effect
    assert seeder.stock(store, flow["shirt"]) == 9


def test_shopper_request_in_shopify_is_decided_by_policy_and_approved(
    db, connector, seeder, store, shop_row, flow, web_post
):
    line_id = flow["placed"].line_items[0].id
    seeder.request_return(store, flow["placed"], {line_id: 1})
    body = next(iter(store.returns.values()))
    from sandbox.shopify.payloads import return_payload

    web_post("returns/request", return_payload(body))
    request = db.scalars(select(ReturnRequest)).one()
    assert request.platform_return_id == f"gid://shopify/Return/{body.id}"
    assert request.status == ReturnStatus.APPROVED
    assert body.status == "OPEN"  # returnApproveRequest sent


def test_shopper_request_the_policy_refuses_is_declined_in_shopify(
    db, connector, seeder, store, shop_row, web_post
):
    scarf = seeder.product(store, "Scarf", [{"sku": "SC", "stock": 3}], tags=["final-sale"])[0]
    placed = seeder.order(store, None, [(scarf, 1)])
    for resource in SYNC_ORDER:
        connector.sync(db, resource, full=True, clock=SYS)
    ensure_default_policy(db, shop_row.id, SYS)
    db.commit()
    shopify_return = seeder.request_return(store, placed, {placed.line_items[0].id: 1})
    from sandbox.shopify.payloads import return_payload

    web_post("returns/request", return_payload(shopify_return))
    assert (shopify_return.status, shopify_return.decline_reason) == ("DECLINED", "FINAL_SALE")
    assert "Final sale" in (shopify_return.decline_note or "")
    assert db.scalars(select(ReturnRequest)).all() == []


def test_stale_order_update_never_overwrites_a_newer_one(db, web_post, seeder, store, shop_row):
    from sandbox.shopify.payloads import order_payload

    cap = seeder.product(store, "Cap", [{"sku": "CAP", "stock": 5}])[0]
    placed = seeder.order(store, None, [(cap, 1)], fulfil=False)
    newer = order_payload(store, placed) | {"updated_at": "2026-06-15T12:00:00Z", "tags": "vip"}
    older = order_payload(store, placed) | {"updated_at": "2026-06-15T11:00:00Z", "tags": "old"}
    web_post("orders/updated", newer)
    web_post("orders/updated", older)  # delivered late
    order = db.scalars(select(Order)).one()
    db.refresh(order)
    assert order.tags == ["vip"]


def test_cancelled_return_is_cancelled_in_shopify(db, connector, store, shop_row, dispatcher, flow):
    from core.services import cancel_return

    request = _request(db, shop_row, flow["order"], dispatcher)
    push_return(db, request.id, connector, SYS)
    cancel_return(db, **_who(shop_row, request, dispatcher))
    for _ in range(2):
        push_return(db, request.id, connector, SYS)
    shopify_return = store.returns[int(request.platform_return_id.rsplit("/", 1)[1])]
    assert shopify_return.status == "CANCELED"


def test_return_shopify_cannot_take_restocks_and_refunds_without_it(
    db, connector, seeder, store, shop_row, dispatcher
):
    mug = seeder.product(store, "Mug", [{"sku": "MUG", "price": "15.00", "stock": 4}])[0]
    placed = seeder.order(store, None, [(mug, 2)], fulfil=False)  # nothing Shopify could return
    for resource in SYNC_ORDER:
        connector.sync(db, resource, full=True, clock=SYS)
    ensure_default_policy(db, shop_row.id, SYS)
    db.commit()
    request = _request(db, shop_row, db.scalars(select(Order)).one(), dispatcher)
    push_return(db, request.id, connector, SYS)
    assert (request.platform_return_id, request.platform_data["shopify_state"]) == (
        None,
        "unavailable",
    )
    assert store.returns == {}

    movement = _receive_and_grade(db, shop_row, request, dispatcher)
    for _ in range(2):
        apply_movement(db, movement.id, connector, SYS)
    assert seeder.stock(store, mug) == 6  # inventoryAdjustQuantities, once
    settlement = resolve_return(db, **_who(shop_row, request, dispatcher))[0]
    connector.apply_settlement(db, settlement)  # refunded, answer lost
    db.rollback()
    for _ in range(2):
        apply_settlement(db, settlement.id, connector, SYS)
    refunds = store.orders[placed.id].refunds
    assert [(r.amount, r.lines) for r in refunds] == [
        (Decimal("30.00"), [(placed.line_items[0].id, 2)])
    ]
    assert "reshelf-return" in store.orders[placed.id].tags


def test_store_credit_goes_through_return_process(db, connector, store, shop_row, dispatcher, flow):
    from core.enums import ResolutionKind

    order = flow["order"]
    request = request_return(
        db,
        shop_id=shop_row.id,
        order_id=order.id,
        actor="shopper",
        clock=SYS,
        dispatcher=dispatcher,
        lines=[LineRequest(order.lines[0].id, 2, resolution=ResolutionKind.STORE_CREDIT)],
    )
    push_return(db, request.id, connector, SYS)
    _receive_and_grade(db, shop_row, request, dispatcher)
    settlement = resolve_return(db, **_who(shop_row, request, dispatcher))[0]
    assert settlement.kind == ResolutionKind.STORE_CREDIT
    apply_settlement(db, settlement.id, connector, SYS)
    refund = store.orders[flow["placed"].id].refunds[0]
    assert (refund.store_credit, refund.amount) == (True, settlement.amount)


@pytest.mark.parametrize(
    ("grade", "disposition", "shopify_type"),
    [
        (Grade.DAMAGED, Disposition.DISPOSE, "NOT_RESTOCKED"),
        (Grade.USED, Disposition.REFURBISH, "PROCESSING_REQUIRED"),
        (Grade.MISSING, Disposition.KEEP, "MISSING"),
    ],
)
def test_lines_not_restocked_are_disposed_as_such_when_processed(
    db, connector, seeder, store, shop_row, dispatcher, flow, grade, disposition, shopify_type
):
    request = _request(db, shop_row, flow["order"], dispatcher)
    push_return(db, request.id, connector, SYS)
    kw = _who(shop_row, request, dispatcher)
    mark_in_transit(db, **kw)
    receive_return(db, received={request.lines[0].id: 2}, **kw)
    grade_line(
        db,
        shop_id=shop_row.id,
        return_line_id=request.lines[0].id,
        grade=grade,
        disposition=disposition,
        actor="bench",
        clock=SYS,
        dispatcher=dispatcher,
    )
    settlement = resolve_return(db, **kw)[0]
    apply_settlement(db, settlement.id, connector, SYS)
    shopify_return = store.returns[int(request.platform_return_id.rsplit("/", 1)[1])]
    dispositions = shopify_return.reverse_fulfillment_orders[0].lines[0].dispositions
    assert [(d.type, d.quantity) for d in dispositions] == [(shopify_type, 2)]
    assert seeder.stock(store, flow["shirt"]) == 8  # nothing came back on sale
