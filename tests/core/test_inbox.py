"""The inbox's write side: what it stores, and how it survives a connection the database closed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from sqlalchemy import Engine, String, Table, func, select, text
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError

from core.enums import InboxStatus, Platform
from core.inbox import Inbox, NewDelivery, acknowledging_engine, store_delivery
from core.models import InboxDelivery

T0 = datetime(2026, 6, 15, 10, 30, 5, 123456, tzinfo=UTC)


def _delivery(shop_id: int, key: str = "wh-1") -> NewDelivery:
    return NewDelivery(
        shop_id=shop_id,
        platform=Platform.SHOPIFY,
        topic="orders/create",
        dedupe_key=key,
        received_at=T0,
        body=b'{"id": 7}',
        headers={"X-Shopify-Topic": "orders/create"},
        webhook_id=key,
        event_id="ev-1",
        triggered_at=T0.replace(microsecond=0),
        api_version="2026-04",
        resource_id="gid://shopify/Order/7",
    )


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
        Platform.SHOPIFY,
        "orders/create",
        "wh-1",
        "wh-1",
        "ev-1",
    )
    assert (row.received_at, row.triggered_at) == (T0, T0.replace(microsecond=0))
    assert row.headers == {"X-Shopify-Topic": "orders/create"}
    assert (row.body, row.api_version, row.resource_id) == (
        b'{"id": 7}',
        "2026-04",
        "gid://shopify/Order/7",
    )
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


# Deliveries as different as the stores send them: every optional field, none, and bytes
# and header values that a hand-written statement could bind wrongly.
PARITY = [
    _delivery(0, "full"),
    NewDelivery(
        shop_id=0,
        platform=Platform.WOOCOMMERCE,
        topic="order.updated",
        dedupe_key="bare",
        received_at=T0,
        body=b"",
    ),
    NewDelivery(
        shop_id=0,
        platform=Platform.SHOPIFY,
        topic="customers/redact",
        dedupe_key="odd",
        received_at=T0.replace(microsecond=1),
        body=b'\x00\xff{"n": "\xc3\xa9"}',
        headers={"X-Note": 'caf\u00e9 \u2014 "quoted" \\ back', "X-Empty": ""},
        triggered_at=datetime(2026, 1, 1, tzinfo=UTC),
    ),
]


def _rows(engine: Engine, shop_id: int) -> list[tuple[Any, ...]]:
    """Every column but the ids, both as the model reads it and as the database holds it."""
    table = cast(Table, InboxDelivery.__table__)
    columns = [c for c in table.c if c.name not in ("id", "shop_id")]
    query = select(*columns, *(sql_cast(c, String).label(f"{c.name}_text") for c in columns))
    with engine.connect() as connection:
        found = connection.execute(
            query.where(table.c.shop_id == shop_id).order_by(table.c.dedupe_key)
        )
        return [tuple(row) for row in found]


def test_the_hand_written_insert_stores_what_the_sqlalchemy_insert_stores(db, factory, inbox):
    """PostgreSQL's deliveries go through psycopg with a statement of our own; the same
    deliveries through the model's INSERT must give the same rows, column for column."""
    if inbox.engine.dialect.name != "postgresql":
        pytest.skip("the hand-written INSERT is PostgreSQL's; SQLite has only the model's")
    by_driver, by_model = factory.shop(), factory.shop()
    db.commit()
    for delivery in PARITY:
        assert inbox.store(replace(delivery, shop_id=by_driver.id)) is not None
        with inbox.engine.connect() as connection:
            stored = store_delivery(connection, replace(delivery, shop_id=by_model.id))
        assert stored is not None
    driver_rows, model_rows = _rows(inbox.engine, by_driver.id), _rows(inbox.engine, by_model.id)
    assert len(driver_rows) == len(PARITY)
    assert driver_rows == model_rows
