"""Calculated query cost, the leaky bucket per plan, and THROTTLED answers."""

from __future__ import annotations

import pytest

from sandbox.shopify.cost import LeakyBucket


def test_every_answer_carries_cost_and_throttle_status(admin):
    answer = admin.raw(
        "{ orders(first: 10) { nodes { id lineItems(first: 5) { nodes { id } } } } }"
    )
    cost = answer["extensions"]["cost"]
    # 2 + 10 orders x (1 + lineItems 2 + 5 x 1)
    assert cost["requestedQueryCost"] == 2 + 10 * (1 + 2 + 5)
    assert cost["actualQueryCost"] == 2  # no orders: the connection alone
    assert cost["throttleStatus"] == {
        "maximumAvailable": 2000.0,
        "currentlyAvailable": pytest.approx(1998, abs=2),
        "restoreRate": 100.0,
    }


@pytest.mark.parametrize(("plan", "rate"), [("standard", 100), ("advanced", 200), ("plus", 1000)])
def test_bucket_follows_the_plan(plan, rate):
    bucket = LeakyBucket.for_plan(plan)
    assert bucket.restore_rate == rate
    assert bucket.maximum == rate * 20


def test_bucket_leaks_back_at_the_restore_rate():
    now = [0.0]
    bucket = LeakyBucket.for_plan("standard", clock=lambda: now[0])
    assert bucket.try_take(2000)
    assert not bucket.try_take(1)
    now[0] = 1.5
    assert bucket.status()["currentlyAvailable"] == 150
    assert bucket.try_take(150)


def test_empty_bucket_answers_throttled_without_data(admin, shop):
    shop.bucket.available = 5
    shop.bucket.restore_rate = 0
    answer = admin.raw("{ orders(first: 50) { nodes { id } } }")
    assert "data" not in answer
    assert answer["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert answer["extensions"]["cost"]["actualQueryCost"] is None
    assert answer["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 5


def test_query_above_single_query_limit_is_refused(admin):
    answer = admin.raw(
        "{ orders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } } }"
    )
    assert answer["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


def test_mutation_costs_ten(admin):
    answer = admin.raw(
        'mutation { tagsAdd(id: "gid://shopify/Order/1", tags: ["x"]) { userErrors { message } } }'
    )
    assert answer["extensions"]["cost"]["requestedQueryCost"] == 10
