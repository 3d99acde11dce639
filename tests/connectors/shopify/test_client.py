"""The client paces itself from throttleStatus and turns failures into the error tree."""

from __future__ import annotations

import time

import pytest

from connectors.shopify.client import AdminClient, Pacer
from core.errors import FatalStoreError, StoreAuthError
from tests.sandbox.shopify.conftest import TOKEN


def test_requests_wait_for_the_bucket_and_lose_nothing(client, seeder, store):
    cap = seeder.product(store, "Cap", [{"sku": "CAP", "stock": 50}])[0]
    for _ in range(10):
        seeder.order(store, None, [(cap, 1)])
    # each page requests about 740 points and uses about 160: the bucket holds one at a time
    store.bucket.maximum, store.bucket.available, store.bucket.restore_rate = 1000, 750, 1000
    pacer = Pacer()
    api = AdminClient(store.domain, TOKEN, client, pacer)
    for _ in range(6):
        assert len(api.request("orders_page", {"first": 10})["orders"]["nodes"]) == 10
    assert pacer.waited > 0  # it waited on the restore rate instead of being throttled


def test_throttled_answer_is_retried_after_the_computed_wait(client, store):
    # The bucket's clock moves only when the client sleeps: on a busy machine the real one
    # refilled the empty bucket (1,000 points a second) before the first request arrived.
    now = [time.monotonic()]
    store.bucket.clock = lambda: now[0]
    store.bucket.try_take(0)  # refill up to the frozen now, then empty it
    store.bucket.available, store.bucket.restore_rate = 0, 1000
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    api = AdminClient(store.domain, TOKEN, client, Pacer(sleep=sleep))
    # the first answer is THROTTLED; the pacer learns the bucket and waits before the retry
    assert api.request("locations", {"first": 10})["locations"]["nodes"]
    assert slept
    assert all(s < 1 for s in slept)


def test_stale_token_is_an_auth_error(client, store):
    with pytest.raises(StoreAuthError):
        AdminClient(store.domain, "shpat_expired", client, Pacer()).request("shop")


def test_refused_document_is_fatal(client, store):
    with pytest.raises(FatalStoreError):
        AdminClient(store.domain, TOKEN, client, Pacer()).request(
            "return_lines", {"id": "not-a-gid"}
        )
