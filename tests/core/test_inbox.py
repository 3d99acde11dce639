"""The inbox's write side: what it stores, and how it survives a connection the database closed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError

from core.enums import InboxStatus, Platform
from core.inbox import Inbox, NewDelivery, acknowledging_engine
from core.models import InboxDelivery

T0 = datetime(2026, 6, 15, 10, 30, 5, 123456, tzinfo=UTC)


def _delivery(shop_id: int, key: str = "wh-1") -> NewDelivery:
    return NewDelivery(
        shop_id=shop_id, platform=Platform.SHOPIFY, topic="orders/create", dedupe_key=key,
        received_at=T0, body=b'{"id": 7}', headers={"X-Shopify-Topic": "orders/create"},
        webhook_id=key, event_id="ev-1", triggered_at=T0.replace(microsecond=0),
        api_version="2026-04", resource_id="gid://shopify/Order/7",
    )  # fmt: skip


@pytest.fixture
def inbox(engine: Engine) -> Inbox:
    return Inbox(acknowledging_engine(engine))


@pytest.fixture
def shop(db, factory):
    """A shop the inbox's own connections can see."""
    made = factory.shop()
    db.commit()
    return made


def test_a_stored_delivery_reads_back_through_the_model_as_it_was_given(db, shop, inbox):
    stored_id = inbox.store(_delivery(shop.id))
    row = db.get_one(InboxDelivery, stored_id)
    assert (row.platform, row.topic, row.dedupe_key, row.webhook_id, row.event_id) == (
        Platform.SHOPIFY, "orders/create", "wh-1", "wh-1", "ev-1",
    )  # fmt: skip
    assert (row.received_at, row.triggered_at) == (T0, T0.replace(microsecond=0))
    assert row.headers == {"X-Shopify-Topic": "orders/create"}
    assert (row.body, row.api_version, row.resource_id) == (
        b'{"id": 7}', "2026-04", "gid://shopify/Order/7",
    )  # fmt: skip
    assert (row.status, row.attempts) == (InboxStatus.RECEIVED, 0)


def test_the_same_delivery_twice_is_one_row_and_the_second_store_says_none(db, shop, inbox):
    assert inbox.store(_delivery(shop.id)) is not None
    assert inbox.store(_delivery(shop.id)) is None
    assert db.scalar(select(func.count()).select_from(InboxDelivery)) == 1


def test_a_delivery_for_a_deleted_shop_is_refused_and_the_shop_forgotten(db, shop, inbox):
    assert inbox.find_shop(Platform.SHOPIFY, domain=shop.domain) is not None
    db.delete(shop)
    db.commit()
    with pytest.raises(IntegrityError):
        inbox.store(_delivery(shop.id))
    assert inbox.find_shop(Platform.SHOPIFY, domain=shop.domain) is None


def test_a_connection_the_database_closed_is_replaced_and_the_delivery_stored(
    db, shop, inbox, engine
):
    """The acknowledging pool does not ping before use; a dead connection costs a retry."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to close a connection")
    with inbox.engine.connect() as connection:  # the connection the next store will use
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with engine.begin() as admin:
        assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar()
    assert inbox.store(_delivery(shop.id)) is not None
    assert db.scalar(select(func.count()).select_from(InboxDelivery)) == 1
