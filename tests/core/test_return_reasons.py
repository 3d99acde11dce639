"""The use case takes only the shop's reasons, whoever calls it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.errors import DomainError
from core.models import ReturnReason, ReturnRequest
from core.services import LineRequest, request_return


@pytest.fixture
def order(db, factory):
    shop = factory.shop()
    order = factory.order(shop, [(factory.variant(shop), 2, Decimal("25.00"))])
    db.commit()
    return order


def _ask(db, clock, dispatcher, order, reason):
    return request_return(
        db,
        shop_id=order.shop_id,
        order_id=order.id,
        lines=[LineRequest(order.lines[0].id, 1, reason)],
        actor="shopper",
        clock=clock,
        dispatcher=dispatcher,
    )


@pytest.mark.parametrize("reason", ["x" * 100_000, "not_a_reason", ""])
def test_a_reason_outside_the_shops_list_is_refused_and_nothing_stored(
    db, clock, dispatcher, order, reason
):
    with pytest.raises(DomainError, match="choose a reason from the shop's list"):
        _ask(db, clock, dispatcher, order, reason)
    db.rollback()
    assert db.scalar(select(func.count(ReturnRequest.id))) == 0


def test_the_shops_own_reasons_replace_the_defaults(db, factory, clock, dispatcher, order):
    db.add(ReturnReason(shop_id=order.shop_id, code="itchy", label="Itchy fabric"))
    other = factory.shop()
    db.add(ReturnReason(shop_id=other.id, code="theirs", label="Another shop's reason"))
    db.commit()
    ret = _ask(db, clock, dispatcher, order, "itchy")
    assert ret.lines[0].reason_code == "itchy"
    for refused in ("too_small", "theirs"):
        with pytest.raises(DomainError, match="choose a reason"):
            _ask(db, clock, dispatcher, order, refused)
        db.rollback()
