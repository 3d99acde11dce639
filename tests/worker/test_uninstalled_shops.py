"""Deliveries of a shop that is no longer active: privacy requests are applied, the rest
is settled, and nothing waits as ``received`` for a store that is gone."""

from __future__ import annotations

from core.enums import InboxStatus, Platform, ShopStatus
from core.models import InboxDelivery
from worker.sweeper import pending_work


def _delivery(db, shop, clock, topic: str, key: str) -> InboxDelivery:
    delivery = InboxDelivery(
        shop_id=shop.id,
        platform=Platform.SHOPIFY,
        topic=topic,
        dedupe_key=key,
        body=b'{"shop_id": 1}',
        received_at=clock.now(),
    )
    db.add(delivery)
    db.commit()
    return delivery


def _status(db, delivery_id: int) -> InboxStatus:
    db.expire_all()
    return InboxStatus(db.get_one(InboxDelivery, delivery_id).status)


def test_an_uninstalled_shop_still_gets_its_redaction_and_ignores_the_rest(
    db, factory, clock, store, rq_dispatcher, run_jobs
):
    shop = factory.shop(status=ShopStatus.UNINSTALLED)
    redact = _delivery(db, shop, clock, "shop/redact", "redact-1")
    order = _delivery(db, shop, clock, "orders/updated", "order-1")

    assert {("inbox", redact.id), ("inbox", order.id)} <= set(pending_work(db))
    rq_dispatcher.enqueue_delivery(redact.id)
    rq_dispatcher.enqueue_delivery(order.id)
    run_jobs()

    assert store.calls == [f"delivery {redact.id}"]  # shop/redact comes 48 h after uninstall
    assert _status(db, redact.id) == InboxStatus.PROCESSED
    assert _status(db, order.id) == InboxStatus.IGNORED
    assert pending_work(db) == []


def test_a_shop_waiting_for_a_reconnect_applies_privacy_requests_at_once(
    db, factory, clock, store, rq_dispatcher, run_jobs
):
    shop = factory.shop(status=ShopStatus.NEEDS_RECONNECT)
    redact = _delivery(db, shop, clock, "customers/redact", "redact-2")
    order = _delivery(db, shop, clock, "orders/updated", "order-2")

    assert pending_work(db) == [("inbox", redact.id)]
    rq_dispatcher.enqueue_delivery(redact.id)
    rq_dispatcher.enqueue_delivery(order.id)
    run_jobs()

    assert _status(db, redact.id) == InboxStatus.PROCESSED
    # The order waits for the reconnect; the sweeper brings it back then.
    assert _status(db, order.id) == InboxStatus.RECEIVED
