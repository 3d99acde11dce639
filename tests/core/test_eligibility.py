"""decide_order: one answer on an order, which the page shows and the request is held to."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.enums import ResolutionKind
from core.errors import NotEligible
from core.services import LineRequest, decide_order, publish_policy, request_return
from core.services.policies import create_draft

# A shop that takes back only what arrived damaged, as store credit, within 30 days.
DAMAGED_ONLY = [
    {
        "name": "Final sale",
        "when": {"final_sale": True},
        "then": {"eligible": False, "message": "Final sale items cannot be returned."},
    },
    {
        "name": "Damaged",
        "when": {"reason": {"any": ["damaged"]}},
        "then": {"window_days": 30, "resolutions": ["store_credit"]},
    },
    {
        "name": "Anything else",
        "when": {},
        "then": {"eligible": False, "message": "Only damaged items can come back."},
    },
]


@pytest.fixture
def order(db, factory, clock):
    """Two shirts and a final-sale scarf, on the damaged-only policy."""
    shop = factory.shop()
    publish_policy(db, create_draft(db, shop.id, DAMAGED_ONLY), "owner", clock)
    shirt, scarf = factory.variant(shop), factory.variant(shop)
    order = factory.order(shop, [(shirt, 2, Decimal("40.00")), (scarf, 1, Decimal("10.00"))])
    order.lines[1].final_sale = True
    db.commit()
    return order


def _ask(db, clock, dispatcher, order, reason):
    """Ask to return one shirt for ``reason``."""
    return request_return(
        db,
        shop_id=order.shop_id,
        order_id=order.id,
        actor="shopper",
        clock=clock,
        lines=[LineRequest(order.lines[0].id, 1, reason, ResolutionKind.STORE_CREDIT)],
        dispatcher=dispatcher,
    )


def test_every_line_is_decided_with_what_is_left_and_the_shops_reasons(db, clock, order):
    shirt, scarf = order.lines
    decided = decide_order(db, shop_id=order.shop_id, order=order, clock=clock)
    assert list(decided.lines) == [shirt.id, scarf.id]
    assert decided.lines[scarf.id].reasons == ("Final sale items cannot be returned.",)
    assert decided.returnable == {shirt.id: 2, scarf.id: 1}
    assert "damaged" in decided.reasons
    assert decided.version.policy.shop_id == order.shop_id


def test_the_request_is_held_to_the_decision_with_the_reason_chosen(db, clock, dispatcher, order):
    shirt = order.lines[0]
    unasked = decide_order(db, shop_id=order.shop_id, order=order, clock=clock)
    damaged = decide_order(
        db, shop_id=order.shop_id, order=order, clock=clock, reasons={shirt.id: "damaged"}
    )
    assert not unasked.lines[shirt.id].eligible
    assert damaged.lines[shirt.id].eligible
    with pytest.raises(NotEligible) as refused:
        _ask(db, clock, dispatcher, order, "too_small")
    assert tuple(refused.value.reasons) == unasked.lines[shirt.id].reasons
    db.rollback()
    ret = _ask(db, clock, dispatcher, order, "damaged")
    assert ret.decision["lines"] == [damaged.lines[shirt.id].as_json()]
    assert ret.policy_version_id == damaged.version.id
    after = decide_order(db, shop_id=order.shop_id, order=order, clock=clock)
    assert after.returnable[shirt.id] == 1
