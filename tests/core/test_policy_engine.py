"""The policy engine: each condition and outcome, explanations and dry runs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.enums import ApprovalMode, Disposition, ResolutionKind
from core.policy import RuleError, compile_policy, dry_run, evaluate, explain
from core.policy.defaults import DEFAULT_RULES
from tests.core.policy_support import NOW, line, order

YES = {"eligible": True}


def decide(when, ln=None, od=None):
    """Eligible iff the one rule's conditions hold (the fallback is 'no rule')."""
    policy = compile_policy([{"name": "r", "when": when, "then": YES}])
    od = od or order(ln or line())
    return evaluate(policy, od, NOW)[0].eligible


CONDITION_CASES = [
    ({"product_tags": {"any": ["Summer"]}}, line(), True),
    ({"product_tags": {"any": ["winter"]}}, line(), False),
    ({"product_tags": {"none": ["summer"]}}, line(), False),
    ({"product_types": {"any": ["shirts"]}}, line(), True),
    ({"product_types": {"none": ["shirts"]}}, line(), False),
    ({"collections": {"any": ["tees", "hats"]}}, line(), True),
    ({"collections": {"any": ["hats"]}}, line(), False),
    ({"skus": {"any": ["TEE-*"]}}, line(), True),
    ({"skus": {"any": ["HAT-*"]}}, line(), False),
    ({"skus": {"none": ["tee-*"]}}, line(), False),
    ({"price": {"min": 10, "max": 50}}, line(), True),
    ({"price": {"min": "40.01"}}, line(), False),
    ({"price": {"max": 39}}, line(discounted_unit_price=Decimal("30")), True),
    ({"discounted": True}, line(discounted_unit_price=Decimal("30")), True),
    ({"discounted": True}, line(), False),
    ({"final_sale": True}, line(final_sale=True), True),
    ({"final_sale": False}, line(final_sale=True), False),
    ({"reason": {"any": ["damaged"]}}, line(reason="damaged"), True),
    ({"reason": {"any": ["damaged"]}}, line(reason=None), False),
]


@pytest.mark.parametrize(("when", "ln", "expected"), CONDITION_CASES)
def test_line_conditions(when, ln, expected):
    assert decide(when, ln) is expected


ORDER_CASES = [
    ({"days_since_delivery": {"max": 5}}, order(delivered_days_ago=5), True),
    ({"days_since_delivery": {"max": 4}}, order(delivered_days_ago=5), False),
    # No delivery date: counted from fulfilment (20 days ago).
    ({"days_since_delivery": {"min": 20}}, order(delivered_days_ago=None), True),
    ({"days_since_delivery": {"max": 19}}, order(delivered_days_ago=None), False),
    (
        {"days_since_delivery": {"min": 40}},
        order(delivered_days_ago=None, fulfilled_at=None),
        True,
    ),
    ({"customer_tags": {"any": ["VIP"]}}, order(), True),
    ({"customer_tags": {"none": ["vip"]}}, order(), False),
    ({"order_count": {"min": 3}}, order(), True),
    ({"order_count": {"min": 4}}, order(), False),
    ({"lifetime_spend": {"min": 200}}, order(), True),
    ({"lifetime_spend": {"min": 300}}, order(), False),
    ({"shipping_country": {"any": ["DE", "AT"]}}, order(), True),
    ({"shipping_country": {"none": ["de"]}}, order(), False),
]


@pytest.mark.parametrize(("when", "od", "expected"), ORDER_CASES)
def test_order_conditions(when, od, expected):
    assert decide(when, od=od) is expected


def test_all_conditions_of_a_rule_must_hold():
    assert decide({"product_tags": {"any": ["summer"]}, "price": {"max": 10}}) is False


def test_first_matching_rule_decides():
    policy = compile_policy(
        [
            {"name": "sale", "when": {"discounted": True}, "then": {"eligible": False}},
            {"name": "all", "when": {}, "then": YES},
        ]
    )
    decisions = evaluate(
        policy, order(line(line_id=1), line(line_id=2, discounted_unit_price=Decimal(1))), NOW
    )
    assert [(d.line_id, d.eligible, d.rule_name) for d in decisions] == [
        (1, True, "all"),
        (2, False, "sale"),
    ]


def test_window_closes_with_a_sentence_naming_the_date():
    policy = compile_policy([{"when": {}, "then": {"window_days": 30}}])
    (open_,) = evaluate(policy, order(delivered_days_ago=30), NOW)
    (closed,) = evaluate(policy, order(delivered_days_ago=31), NOW)
    assert open_.eligible
    assert not closed.eligible
    assert closed.reasons == (
        "The 30-day return window, counted from delivery, closed on 14 June 2026.",
    )


def test_outcome_fields_are_carried_on_the_decision():
    policy = compile_policy(
        [
            {
                "when": {},
                "then": {
                    "message": "Send it back within 14 days.",
                    "window_days": 14,
                    "resolutions": ["store_credit"],
                    "fee": {"type": "percent", "amount": 10},
                    "free_shipping": True,
                    "store_credit_bonus": {"type": "flat", "amount": "5"},
                    "approval": "review",
                    "keep_item_below": "50",
                    "disposition": "refurbish",
                },
            }
        ]
    )
    (decision,) = evaluate(policy, order(), NOW)
    outcome = decision.outcome
    assert decision.reasons == ("Send it back within 14 days.",)
    assert outcome.resolutions == (ResolutionKind.STORE_CREDIT,)
    assert outcome.fee.of(Decimal("40.00")) == Decimal("4.00")
    assert outcome.store_credit_bonus.of(Decimal("40.00")) == Decimal("5")
    assert outcome.free_shipping
    assert decision.approval == ApprovalMode.REVIEW
    assert decision.keep_item  # 40.00 < 50
    assert outcome.disposition == Disposition.REFURBISH


def test_no_matching_rule_is_not_eligible():
    policy = compile_policy([{"when": {"final_sale": True}, "then": YES}])
    (decision,) = evaluate(policy, order(), NOW)
    assert not decision.eligible
    assert decision.reasons == ("No return rule covers this item.",)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"when": {"colour": {"any": ["red"]}}}, "unknown condition 'colour'"),
        ({"when": {"price": {"min": "cheap"}}}, "price: 'cheap' is not a number"),
        ({"when": {"product_tags": ["a"]}}, "product_tags takes"),
        ({"then": {"window_days": -1}}, "window_days must be a whole number"),
        ({"then": {"fee": {"type": "lots"}}}, "fee takes"),
        ({"then": {"approval": "maybe"}}, "'maybe' is not a valid ApprovalMode"),
        ({"then": {"refund": True}}, "unknown outcome field(s) ['refund']"),
    ],
)
def test_malformed_rules_are_refused_with_a_reason(rule, message):
    with pytest.raises(RuleError, match="rule 'Rule 1'") as caught:
        compile_policy([rule])
    assert message in str(caught.value)


def test_explain_says_why_earlier_rules_did_not_match():
    policy = compile_policy(
        [
            {"name": "Final sale", "when": {"final_sale": True}, "then": {"eligible": False}},
            {"name": "VIP", "when": {"customer_tags": {"any": ["gold"]}}, "then": YES},
            {"name": "Standard", "when": {}, "then": {"window_days": 30}},
        ]
    )
    od = order()
    assert explain(policy, od, od.lines[0], NOW) == (
        "Rule 1 “Final sale” did not match: final_sale is false, rule needs true.\n"
        "Rule 2 “VIP” did not match: customer_tags is [vip], rule needs any of [gold].\n"
        "Rule 3 “Standard” matched: eligible — You can return this item until 10 July 2026."
    )


def test_dry_run_lists_only_the_decisions_that_change():
    published = compile_policy(DEFAULT_RULES)
    stricter = compile_policy(
        [DEFAULT_RULES[0], {"name": "14 days", "when": {}, "then": {"window_days": 14}}]
    )
    recent, older = order(delivered_days_ago=3), order(delivered_days_ago=20, number="1002")
    sale = order(line(final_sale=True), number="1003")
    changes = dry_run(published, stricter, [recent, older, sale], NOW)
    assert [(c.order_number, c.before.eligible, c.after.eligible) for c in changes] == [
        ("1001", True, True),  # same verdict, shorter deadline: still a change to show
        ("1002", True, False),
    ]


def test_default_policy_excludes_final_sale_and_allows_30_days():
    policy = compile_policy(DEFAULT_RULES)
    sale, normal = evaluate(policy, order(line(line_id=1, final_sale=True), line(line_id=2)), NOW)
    assert not sale.eligible
    assert sale.reasons == ("Final sale items cannot be returned.",)
    assert normal.eligible
    assert set(normal.outcome.resolutions) >= {ResolutionKind.REFUND, ResolutionKind.EXCHANGE}
    assert normal.outcome.window_days == 30
