"""The return lifecycle through the services: statuses, quantities, events, the ledger."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.enums import (
    Disposition,
    Grade,
    LedgerState,
    ReturnStatus,
)
from core.errors import DomainError, InvalidTransition, NotEligible, QuantityExceeded
from core.models import OrderLine, ReturnEvent, StockMovement
from core.services import (
    LineRequest,
    approve_return,
    cancel_return,
    close_return,
    grade_line,
    receive_return,
    request_return,
)
from core.services.policies import create_draft, publish_policy


@pytest.fixture
def setup(db, factory):
    shop = factory.shop()
    variant = factory.variant(shop)
    order = factory.order(shop, [(variant, 3, Decimal("25.00"))])
    db.commit()
    return shop, order, order.lines[0]


def ask(db, clock, dispatcher, shop, order, *lines):
    return request_return(
        db,
        shop_id=shop.id,
        order_id=order.id,
        lines=list(lines),
        actor="shopper:x",
        clock=clock,
        dispatcher=dispatcher,
    )


def test_partial_returns_never_exceed_what_was_bought(db, clock, dispatcher, setup):
    shop, order, line = setup
    ask(db, clock, dispatcher, shop, order, LineRequest(line.id, 1))
    ask(db, clock, dispatcher, shop, order, LineRequest(line.id, 2))
    with pytest.raises(QuantityExceeded, match="only 0 of .* can still be returned, not 1"):
        ask(db, clock, dispatcher, shop, order, LineRequest(line.id, 1))


def test_units_refunded_on_the_store_cannot_be_returned(db, clock, dispatcher, setup):
    shop, order, line = setup
    db.get(OrderLine, line.id).refunded_quantity = 2
    db.commit()
    with pytest.raises(QuantityExceeded, match="only 1"):
        ask(db, clock, dispatcher, shop, order, LineRequest(line.id, 2))


def test_a_cancelled_return_frees_its_units(db, clock, dispatcher, setup):
    shop, order, line = setup
    first = ask(db, clock, dispatcher, shop, order, LineRequest(line.id, 3))
    cancel_return(
        db,
        shop_id=shop.id,
        return_id=first.id,
        actor="shopper:x",
        clock=clock,
        dispatcher=dispatcher,
    )
    again = ask(db, clock, dispatcher, shop, order, LineRequest(line.id, 3))
    assert again.status == ReturnStatus.APPROVED


def test_invalid_transition_names_both_statuses(db, clock, dispatcher, setup):
    shop, order, line = setup
    ret = ask(db, clock, dispatcher, shop, order, LineRequest(line.id, 1))
    cancel_return(
        db, shop_id=shop.id, return_id=ret.id, actor="desk", clock=clock, dispatcher=dispatcher
    )
    with pytest.raises(InvalidTransition) as caught:
        approve_return(
            db, shop_id=shop.id, return_id=ret.id, actor="desk", clock=clock, dispatcher=dispatcher
        )
    assert str(caught.value) == "cannot move a return from 'cancelled' to 'approved'"


def test_every_step_writes_an_event_with_who_and_when(db, clock, dispatcher, setup):
    shop, order, line = setup
    ret = ask(db, clock, dispatcher, shop, order, LineRequest(line.id, 2, "too_big"))
    clock.advance(days=3)
    receive_return(
        db,
        shop_id=shop.id,
        return_id=ret.id,
        received={ret.lines[0].id: 2},
        actor="user:7",
        clock=clock,
        dispatcher=dispatcher,
    )
    events = db.scalars(select(ReturnEvent).where(ReturnEvent.return_id == ret.id)).all()
    trail = [(e.kind, e.from_status, e.to_status, e.actor) for e in events]
    assert trail == [
        ("requested", None, None, "shopper:x"),
        ("status", "requested", "approved", "policy"),
        ("status", "approved", "received", "user:7"),
    ]
    assert events[-1].created_at == clock.now()
    assert ret.received_at == clock.now()


def test_rma_numbers_are_short_readable_and_unique(db, clock, dispatcher, factory):
    shop = factory.shop()
    orders = [factory.order(shop) for _ in range(20)]
    db.commit()
    rmas = {ask(db, clock, dispatcher, shop, o, LineRequest(o.lines[0].id, 1)).rma for o in orders}
    assert len(rmas) == 20
    assert all(
        re.fullmatch(r"[ACDEFHJKMNPRTWXY34679]{3}-[ACDEFHJKMNPRTWXY34679]{3}", r) for r in rmas
    )


def test_grading_restock_writes_exactly_one_movement(db, clock, dispatcher, setup):
    shop, order, line = setup
    ret = ask(db, clock, dispatcher, shop, order, LineRequest(line.id, 2))
    rline = ret.lines[0]
    receive_return(
        db,
        shop_id=shop.id,
        return_id=ret.id,
        received={rline.id: 1},
        actor="bench",
        clock=clock,
        dispatcher=dispatcher,
    )
    grade_line(
        db,
        shop_id=shop.id,
        return_line_id=rline.id,
        grade=Grade.LIKE_NEW,
        disposition=Disposition.RESTOCK,
        actor="bench",
        clock=clock,
        dispatcher=dispatcher,
    )
    with pytest.raises(DomainError, match="already graded"):
        grade_line(
            db,
            shop_id=shop.id,
            return_line_id=rline.id,
            grade=Grade.LIKE_NEW,
            disposition=Disposition.RESTOCK,
            actor="bench",
            clock=clock,
            dispatcher=dispatcher,
        )
    (movement,) = db.scalars(select(StockMovement)).all()
    assert (movement.quantity, movement.state) == (1, LedgerState.PENDING)  # what arrived
    assert movement.idempotency_key == f"restock-{shop.id}-{rline.id}-like_new"


def test_the_database_refuses_a_second_movement_for_a_line_and_grade(db, clock, dispatcher, setup):
    shop, order, line = setup
    ret = ask(db, clock, dispatcher, shop, order, LineRequest(line.id, 1))
    receive_return(
        db,
        shop_id=shop.id,
        return_id=ret.id,
        received={ret.lines[0].id: 1},
        actor="bench",
        clock=clock,
        dispatcher=dispatcher,
    )
    grade_line(
        db,
        shop_id=shop.id,
        return_line_id=ret.lines[0].id,
        grade=Grade.NEW,
        disposition=Disposition.RESTOCK,
        actor="bench",
        clock=clock,
        dispatcher=dispatcher,
    )
    first = db.scalars(select(StockMovement)).one()
    db.add(
        StockMovement(
            shop_id=shop.id,
            variant_id=first.variant_id,
            quantity=1,
            location_id=first.location_id,
            return_line_id=first.return_line_id,
            grade=Grade.NEW,
            idempotency_key="another-key",
        )
    )
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_policy_modes_review_and_reject(db, clock, dispatcher, factory):
    shop = factory.shop()
    review_variant = factory.variant(shop, tags=["fragile"])
    reject_variant = factory.variant(shop, tags=["custom"])
    version = create_draft(
        db,
        shop.id,
        [
            {
                "name": "fragile",
                "when": {"product_tags": {"any": ["fragile"]}},
                "then": {"approval": "review"},
            },
            {
                "name": "custom",
                "when": {"product_tags": {"any": ["custom"]}},
                "then": {"approval": "reject"},
            },
        ],
    )
    publish_policy(db, version, "owner", clock)
    fragile = factory.order(shop, [(review_variant, 1, Decimal("10"))])
    custom = factory.order(shop, [(reject_variant, 1, Decimal("10"))])
    db.commit()
    held = ask(db, clock, dispatcher, shop, fragile, LineRequest(fragile.lines[0].id, 1))
    refused = ask(db, clock, dispatcher, shop, custom, LineRequest(custom.lines[0].id, 1))
    assert (held.status, refused.status) == (ReturnStatus.NEEDS_REVIEW, ReturnStatus.REJECTED)
    assert held.policy_version_id == version.id


def test_ineligible_lines_are_refused_with_the_shoppers_sentence(db, clock, dispatcher, factory):
    shop = factory.shop()
    order = factory.order(shop, days_ago=45)
    db.commit()
    with pytest.raises(NotEligible, match="30-day return window"):
        ask(db, clock, dispatcher, shop, order, LineRequest(order.lines[0].id, 1))


def test_close_waits_for_the_money_side(db, clock, dispatcher, setup):
    shop, order, line = setup
    ret = ask(db, clock, dispatcher, shop, order, LineRequest(line.id, 1))
    with pytest.raises(DomainError, match="items still to come back"):
        close_return(
            db, shop_id=shop.id, return_id=ret.id, actor="desk", clock=clock, dispatcher=dispatcher
        )
