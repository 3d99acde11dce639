"""The inbox doorbell: acknowledging a webhook rings it, a relay enqueues the delivery's job."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from redis.exceptions import ConnectionError as RedisConnectionError

from core.enums import InboxStatus, Platform
from core.models import InboxDelivery
from worker import inbox_relay
from worker.dispatch import RQDispatcher
from worker.queues import WEBHOOKS, get_queue
from worker.sweeper import sweep


def _delivery(db, shop, n):
    delivery = InboxDelivery(
        shop_id=shop.id,
        platform=Platform.SHOPIFY,
        topic="orders/updated",
        dedupe_key=f"wh-{n}",
        body=b"{}",
        status=InboxStatus.RECEIVED,
        received_at=datetime(2026, 6, 15, tzinfo=UTC),
    )
    db.add(delivery)
    db.commit()
    return delivery


def test_a_burst_brings_one_relay_which_enqueues_each_delivery_once(
    db, factory, rq_dispatcher, redis_conn
):
    shop = factory.shop()
    first, second = _delivery(db, shop, 1), _delivery(db, shop, 2)
    for delivery in (first, first, second):  # Shopify sends the same webhook twice
        rq_dispatcher.dispatch("inbox", delivery.id)
    queue = get_queue(WEBHOOKS, redis_conn)
    assert queue.get_job_ids() == [f"inbox-relay-{first.id}"]

    assert inbox_relay.relay(redis_conn) == 3
    assert queue.get_job_ids() == [
        f"inbox-relay-{first.id}",
        f"inbox-{first.id}",
        f"inbox-{second.id}",
    ]
    assert inbox_relay.waiting(redis_conn) == 0


def test_a_ring_after_the_relay_emptied_the_doorbell_brings_a_new_relay(
    db, factory, rq_dispatcher, redis_conn
):
    shop = factory.shop()
    first, later = _delivery(db, shop, 1), _delivery(db, shop, 2)
    rq_dispatcher.dispatch("inbox", first.id)
    inbox_relay.relay(redis_conn)
    rq_dispatcher.dispatch("inbox", later.id)
    assert f"inbox-relay-{later.id}" in get_queue(WEBHOOKS, redis_conn).get_job_ids()


def test_ids_no_relay_will_take_get_one_from_the_sweeper(db, factory, redis_conn):
    """A relay enqueue that failed after the push leaves ids waiting with no relay: every
    later ring finds the list non-empty and enqueues none. The sweeper brings one."""
    shop = factory.shop()
    delivery = _delivery(db, shop, 1)
    inbox_relay.ring(redis_conn, delivery.id)  # rung, but its relay never got enqueued
    inbox_relay.ring(redis_conn, delivery.id)

    sweep(redis_conn)

    ids = get_queue(WEBHOOKS, redis_conn).get_job_ids()
    assert f"inbox-{delivery.id}" in ids  # the received delivery itself, from the database
    assert any(job_id.startswith("inbox-relay-at-") for job_id in ids)
    assert inbox_relay.relay(redis_conn) == 2  # and the relay it brought empties the list


def test_gathered_rings_are_pushed_together_and_bring_one_relay(db, factory, engine, redis_conn):
    """A web process gathers its rings for a moment: a burst is one push and one relay."""
    shop = factory.shop()
    deliveries = [_delivery(db, shop, n) for n in range(3)]
    dispatcher = RQDispatcher(engine=engine, connection=redis_conn, gather_rings=0.05)
    for delivery in deliveries:
        dispatcher.dispatch("inbox", delivery.id)
    queue = get_queue(WEBHOOKS, redis_conn)
    assert inbox_relay.waiting(redis_conn) == 0  # still gathered in this process
    deadline = time.monotonic() + 5
    while not queue.get_job_ids() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert queue.get_job_ids() == [f"inbox-relay-{deliveries[0].id}"]
    assert redis_conn.lrange(inbox_relay.DOORBELL, 0, -1) == [
        str(d.id).encode() for d in deliveries
    ]


def test_a_failed_push_of_gathered_rings_is_logged_and_left_to_the_sweeper(caplog):
    pushed: list[list[int]] = []

    def push(ids):
        pushed.append(ids)
        if len(pushed) == 1:
            raise RedisConnectionError("Redis is gone")

    rings = inbox_relay.GatheredRings(push, gather=60)  # its own thread would wait a minute
    rings.add(7)
    with caplog.at_level(logging.WARNING, logger="worker.inbox_relay"):
        rings.flush()  # as at the process's exit
    assert "could not ring for 1 deliveries" in caplog.text
    rings.add(8)
    rings.flush()
    assert pushed == [[7], [8]]  # the failed ring is not pushed again: the sweeper has it
