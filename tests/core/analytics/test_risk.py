"""The risk score: computed when a return is requested, explained in words, usable in rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.clock import FrozenClock
from core.enums import ApprovalMode, ReturnStatus
from core.models import ReturnRequest
from core.policy import compile_policy, dry_run, evaluate, explain
from core.policy.defaults import DEFAULT_RULES
from core.services import LineRequest, request_return
from core.services.eligibility import order_context
from core.services.policies import compiled, create_draft, publish_policy, published_policy
from core.services.risk import (
    DEFAULT_REVIEW_THRESHOLD,
    RiskSettingsError,
    risk_settings,
    scored_context,
)
from tests.core.policy_support import NOW, line, order

RISKY_RULE = {
    "name": "Risky returns go to review",
    "when": {"risk_score": {"min": DEFAULT_REVIEW_THRESHOLD}},
    "then": {
        "window_days": 30,
        "resolutions": ["refund", "exchange", "store_credit"],
        "approval": "review",
    },
}


def _request(db, shop, placed, clock, dispatcher, reason="too_small", **kw):
    return request_return(
        db,
        shop_id=shop.id,
        order_id=placed.id,
        lines=[LineRequest(placed.lines[0].id, 1, reason, **kw)],
        actor="shopper",
        clock=clock,
        dispatcher=dispatcher,
    )


@pytest.fixture
def serial_returner(db, factory, clock, dispatcher):
    """A customer who returned one item from each of three orders in the last month."""
    shop = factory.shop()
    customer = factory.customer(shop, first_name="Ann")
    for days_ago in (20, 12, 6):
        placed = factory.order(shop, days_ago=days_ago + 3, customer_id=customer.id)
        db.commit()
        then = FrozenClock(clock.now() - timedelta(days=days_ago))
        _request(db, shop, placed, then, dispatcher)
    jacket = factory.variant(shop, title="Leather jacket")
    latest = factory.order(shop, [(jacket, 1, Decimal("90.00"))], customer_id=customer.id)
    db.commit()
    return shop, customer, latest


def test_three_returns_last_month_and_damaged_without_photo_score_above_review(
    db, clock, dispatcher, serial_returner
):
    shop, _, latest = serial_returner
    ret = _request(db, shop, latest, clock, dispatcher, reason="damaged")
    assert ret.risk_score == 80
    assert ret.risk_score > DEFAULT_REVIEW_THRESHOLD
    assert [r["sentence"] for r in ret.risk_reasons] == [
        "This customer made 3 returns in the last 12 months.",
        "This customer sent back 3 of the 4 items they bought in the last 12 months (75 %).",
        "This customer made 2 other returns in the last 14 days.",
        "“Arrived damaged” was given for “Leather jacket” without a photo.",
    ]
    assert [r["points"] for r in ret.risk_reasons] == [20, 15, 20, 25]
    # The default policy has no rule on the score: the score informs, a rule decides.
    assert ret.status == ReturnStatus.APPROVED


def test_a_photo_and_the_merchants_weights_change_the_score(db, clock, dispatcher, serial_returner):
    shop, _, latest = serial_returner
    shop.settings = {"risk": {"weights": {"return_count": 5, "serial_returns": 0}}}
    db.commit()
    ret = _request(db, shop, latest, clock, dispatcher, reason="damaged", photos=1)
    assert [(r["factor"], r["points"]) for r in ret.risk_reasons] == [
        ("return_count", 5),
        ("return_rate", 15),
    ]
    assert ret.risk_score == 20


def test_a_first_return_scores_nothing(db, factory, clock, dispatcher):
    shop = factory.shop()
    placed = factory.order(shop, customer_id=factory.customer(shop).id)
    db.commit()
    ret = _request(db, shop, placed, clock, dispatcher, reason="damaged", photos=2)
    assert (ret.risk_score, ret.risk_reasons) == (0, [])


def test_blocked_customer_high_value_and_end_of_window(db, factory, clock, dispatcher):
    shop = factory.shop()
    for _ in range(5):  # the shop's median return: 20.00
        placed = factory.order(shop, email="someone@example.com")
        db.commit()
        _request(db, shop, placed, clock, dispatcher)
    blocked = factory.customer(shop, list_status="block")
    coat = factory.variant(shop, title="Coat")
    # Delivered 28 days ago under the default 30-day window: 2 days left.
    placed = factory.order(shop, [(coat, 1, Decimal("80.00"))], days_ago=28, customer_id=blocked.id)
    db.commit()
    ret = _request(db, shop, placed, clock, dispatcher)
    assert [r["sentence"] for r in ret.risk_reasons] == [
        "This return is worth 80.00 USD, 4.0 times the shop's median return (20.00).",
        "The return was requested 2 days before the end of its return window.",
        "This customer is on the shop's block list.",
    ]
    assert ret.risk_score == 10 + 10 + 40
    assert ret.status == ReturnStatus.NEEDS_REVIEW  # the block list, as before


def test_risk_settings_are_checked():
    assert risk_settings({}).weights["blocked_customer"] == 40
    with pytest.raises(RiskSettingsError, match="unknown risk factor 'shoe_size'"):
        risk_settings({"risk": {"weights": {"shoe_size": 5}}})
    with pytest.raises(RiskSettingsError, match="return_rate: points are a whole number"):
        risk_settings({"risk": {"weights": {"return_rate": 101}}})
    with pytest.raises(RiskSettingsError, match="review_threshold"):
        risk_settings({"risk": {"review_threshold": "high"}})


def test_the_engine_evaluates_risk_score_conditions():
    policy = compile_policy([RISKY_RULE, *DEFAULT_RULES])
    risky = order(line(), risk_score=75)
    calm = order(line(), risk_score=10)
    assert evaluate(policy, risky, NOW)[0].approval == ApprovalMode.REVIEW
    assert evaluate(policy, calm, NOW)[0].approval == ApprovalMode.AUTO_APPROVE
    assert "risk_score is 10, rule needs 60 to inf" in explain(policy, calm, calm.lines[0], NOW)


def test_a_rule_on_the_score_is_drafted_dry_run_published_and_sends_to_review(
    db, factory, clock, dispatcher, serial_returner
):
    shop, _, latest = serial_returner
    _, published = published_policy(db, shop.id)
    draft = create_draft(db, shop.id, [RISKY_RULE, *DEFAULT_RULES])
    # The dry run replays the shop's past returns with the scores they were given, and the
    # request about to come with the score it will get.
    earlier = db.scalars(select(ReturnRequest).order_by(ReturnRequest.id)).all()
    assert [r.risk_score for r in earlier] == [0, 15, 35]
    past = [scored_context(db, r) for r in earlier]
    past.append(replace(order_context(db, latest), risk_score=80))
    changes = dry_run(published, compiled(draft), past, clock.now())
    assert [(c.before.approval, c.after.approval) for c in changes] == [
        (ApprovalMode.AUTO_APPROVE, ApprovalMode.REVIEW)
    ]
    publish_policy(db, draft, "owner@example.com", clock)
    db.commit()
    ret = _request(db, shop, latest, clock, dispatcher, reason="damaged")
    assert ret.status == ReturnStatus.NEEDS_REVIEW
    assert ret.decision["lines"][0]["rule"] == "Risky returns go to review"
    newcomer = factory.order(shop, customer_id=factory.customer(shop).id)
    db.commit()
    assert _request(db, shop, newcomer, clock, dispatcher).status == ReturnStatus.APPROVED
