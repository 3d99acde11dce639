"""A delivery whose processing can never succeed ends failed with its reason, not retried."""

from __future__ import annotations

from core.enums import InboxStatus, Platform
from core.models import InboxDelivery
from worker.queues import WEBHOOKS, get_queue


def test_a_delivery_that_cannot_be_mapped_is_failed_once_and_left_alone(
    db, factory, clock, store, rq_dispatcher, run_jobs, redis_conn
):
    shop = factory.shop()
    delivery = InboxDelivery(
        shop_id=shop.id,
        platform=Platform.SHOPIFY,
        topic="refunds/create",
        dedupe_key="wh-1",
        body=b'{"id": 5}',
        received_at=clock.now(),
    )
    db.add(delivery)
    db.commit()
    store.failures = [KeyError("order_id")]  # what the mapping raises for this body
    rq_dispatcher.enqueue_delivery(delivery.id)
    run_jobs()

    db.expire_all()
    row = db.get_one(InboxDelivery, delivery.id)
    assert (row.status, row.error, row.attempts) == (InboxStatus.FAILED, "KeyError: 'order_id'", 1)
    assert store.calls == [f"delivery {delivery.id}"]  # not retried: the body will not change
    assert get_queue(WEBHOOKS, redis_conn).failed_job_registry.get_job_count() == 0
