"""Bodies that can never be processed: refused at the door, or marked failed with the reason."""

from __future__ import annotations

from typing import cast

import pytest
from sqlalchemy import select

from core.enums import InboxStatus, Platform
from core.errors import RetriableStoreError
from core.models import InboxDelivery
from core.ports import StoreConnector
from core.services import process_delivery
from tests.connectors.shopify.conftest import signed_post


@pytest.mark.parametrize("body", [b"[]", b'"x"', b"1", b"null", b"[{}]"])
def test_a_signed_body_that_is_not_a_json_object_is_400_and_not_stored(web, db, shop_row, body):
    answer = signed_post(web, shop_row, "orders/create", body)
    assert answer.status_code == 400
    assert b"not a JSON object" in answer.data
    assert db.scalars(select(InboxDelivery)).all() == []


def _stored(db, shop_row, clock, topic: str, body: bytes) -> InboxDelivery:
    """A delivery as the inbox keeps it (one stored before the endpoint checked bodies)."""
    delivery = InboxDelivery(
        shop_id=shop_row.id,
        platform=Platform.SHOPIFY,
        topic=topic,
        dedupe_key=f"{topic}:{body!r}",
        body=body,
        received_at=clock.now(),
    )
    db.add(delivery)
    db.commit()
    return delivery


@pytest.mark.parametrize(
    ("topic", "body", "error"),
    [
        ("orders/create", b"[]", "AttributeError"),  # not an object, stored before the check
        ("refunds/create", b'{"id": 5}', "KeyError"),  # a refund without its order
        ("inventory_levels/update", b'{"inventory_item_id": 1}', "KeyError"),
        ("orders/create", b"{not json", "JSONDecodeError"),
    ],
)
def test_a_delivery_that_can_never_be_processed_is_marked_failed_with_its_reason(
    db, shop_row, connector, clock, topic, body, error
):
    delivery = _stored(db, shop_row, clock, topic, body)
    process_delivery(db, delivery.id, connector, clock)  # no retry can help: it does not raise
    db.expire_all()
    stored = db.get_one(InboxDelivery, delivery.id)
    assert stored.status == InboxStatus.FAILED
    assert stored.error is not None
    assert stored.error.startswith(error)
    assert stored.attempts == 1


def test_a_transient_failure_leaves_the_delivery_to_be_retried(db, shop_row, connector, clock):
    delivery = _stored(db, shop_row, clock, "orders/create", b'{"id": 5}')

    class StoreDown:
        """A connector whose store does not answer."""

        def process_delivery(self, session, delivery):
            raise RetriableStoreError("store unavailable", retry_after=5)

    with pytest.raises(RetriableStoreError):
        process_delivery(db, delivery.id, cast(StoreConnector, StoreDown()), clock)
    db.expire_all()
    stored = db.get_one(InboxDelivery, delivery.id)
    assert (stored.status, stored.error) == (
        InboxStatus.RECEIVED,
        "RetriableStoreError: store unavailable",
    )
