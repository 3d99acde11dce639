"""Erasing a person, or a whole shop, from every copy Reshelf keeps.

A store asks Reshelf to forget a shopper (Shopify ``customers/redact``, WordPress's personal
data erasure forwarded by the WooCommerce plugin) or a shop (``shop/redact``). What Reshelf
keeps of a person is not only the mirror: the stored webhook bodies that named them, the
mail it wrote to them or about them (the data-request export), the photos they uploaded and
the error texts of logs. Returns keep their numbers and amounts (the merchant's books) and
lose the person.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from core.config import get_settings
from core.db import Base
from core.enums import InboxStatus, ShopStatus
from core.models import (
    Customer,
    InboxDelivery,
    Order,
    OutboundEmail,
    ReturnLine,
    ReturnPhoto,
    ReturnRequest,
    Settlement,
    Shop,
    StockMovement,
    SyncRun,
)
from core.services.mentions import REDACTED, Person, body_names, quotes, scrub

log = logging.getLogger(__name__)
# Free-text columns of logs that can quote a person (a store's error echoing an address).
LOG_TEXTS: tuple[InstrumentedAttribute[Any], ...] = (
    InboxDelivery.error,
    SyncRun.error,
    StockMovement.last_error,
    Settlement.last_error,
    ReturnRequest.attention,
)


def redact_person(
    session: Session, shop_id: int, person: Person, now: datetime, asked_by: int | None = None
) -> dict[str, int]:
    """Scrub the person from the shop's mirror, returns, inbox, mail, photos and logs.

    ``asked_by`` is the delivery being processed that asked for it: its body goes too, and
    its status is left to the processing. The caller commits (one transaction with it).
    """
    customers = _customers(session, shop_id, person)
    person.customer_ids |= {c.platform_id for c in customers}
    person.emails |= {c.email.lower() for c in customers if c.email}
    orders = _orders(session, shop_id, person, [c.id for c in customers])
    person.order_ids |= {o.platform_id for o in orders}
    person.emails |= {o.email.lower() for o in orders if o.email}
    requests = _requests(session, shop_id, person, customers, orders)
    person.emails |= {r.email.lower() for r in requests if r.email}
    counts = {"customers": len(customers), "orders": len(orders), "returns": len(requests)}
    for customer in customers:
        _forget_customer(customer, now)
    for order in orders:
        order.email = None
        order.platform_data = scrub(order.platform_data, person.emails)
    for request in requests:
        request.email, request.customer_note = None, None
        for line in request.lines:
            line.comment = None
        for event in request.events:
            event.data = scrub(event.data, person.emails)
    counts["photos"] = _delete_photos(session, shop_id, [r.id for r in requests])
    counts["emails"] = _delete_mail(session, shop_id, person, [r.id for r in requests])
    counts["deliveries"] = _blank_deliveries(session, shop_id, person, now, asked_by)
    _scrub_logs(session, shop_id, person.emails)
    log.info("redacted a person: %s", counts)
    return counts


def redact_shop(session: Session, shop: Shop, keep_delivery_id: int | None = None) -> None:
    """Delete every row the shop owns (photos' files first) and blank the shop row."""
    photos = select(ReturnPhoto.storage_key).where(ReturnPhoto.shop_id == shop.id)
    remove_photo_files(session.scalars(photos))
    for table in reversed(Base.metadata.sorted_tables):
        if "shop_id" not in table.c or table.name == Shop.__tablename__:
            continue
        statement = delete(table).where(table.c.shop_id == shop.id)
        if table.name == InboxDelivery.__tablename__ and keep_delivery_id is not None:
            statement = statement.where(table.c.id != keep_delivery_id)
        session.execute(statement)
    shop.credentials, shop.settings, shop.name = None, {}, ""
    shop.status, shop.token_expires_at, shop.status_message = ShopStatus.UNINSTALLED, None, None


def photo_path(storage_key: str) -> Path | None:
    """Where a photo's bytes live (the instance's uploads folder), or None if outside it."""
    uploads = (get_settings().instance_path / "uploads").resolve()
    path = (uploads / storage_key).resolve()
    return path if path.is_relative_to(uploads) else None


def remove_photo_files(keys: Iterable[str]) -> int:
    """Delete the files behind these storage keys; how many were there."""
    removed = 0
    for key in keys:
        path = photo_path(key)
        if path is not None and path.is_file():
            path.unlink()
            removed += 1
    return removed


def _customers(session: Session, shop_id: int, person: Person) -> list[Customer]:
    match = or_(
        Customer.platform_id.in_(person.customer_ids),
        func.lower(Customer.email).in_(person.emails),
    )
    return list(session.scalars(select(Customer).where(Customer.shop_id == shop_id, match)))


def _orders(session: Session, shop_id: int, person: Person, customer_ids: list[int]) -> list[Order]:
    match = or_(
        Order.platform_id.in_(person.order_ids),
        Order.customer_id.in_(customer_ids),
        func.lower(Order.email).in_(person.emails),
    )
    return list(session.scalars(select(Order).where(Order.shop_id == shop_id, match)))


def _requests(
    session: Session, shop_id: int, person: Person, customers: list[Customer], orders: list[Order]
) -> list[ReturnRequest]:
    match = or_(
        ReturnRequest.order_id.in_([o.id for o in orders]),
        ReturnRequest.customer_id.in_([c.id for c in customers]),
        func.lower(ReturnRequest.email).in_(person.emails),
    )
    query = select(ReturnRequest).where(ReturnRequest.shop_id == shop_id, match)
    return list(session.scalars(query))


def _forget_customer(customer: Customer, now: datetime) -> None:
    customer.email = customer.first_name = customer.last_name = customer.phone = None
    customer.tags, customer.country, customer.redacted_at = [], None, now
    if ":" in customer.platform_id:  # a WooCommerce guest is keyed by email ("guest:ann@…")
        customer.platform_id = f"redacted:{customer.id}"


def _delete_photos(session: Session, shop_id: int, return_ids: list[int]) -> int:
    lines = select(ReturnLine.id).where(ReturnLine.return_id.in_(return_ids))
    photos = select(ReturnPhoto).where(
        ReturnPhoto.shop_id == shop_id, ReturnPhoto.return_line_id.in_(lines)
    )
    found = list(session.scalars(photos))
    remove_photo_files(p.storage_key for p in found)
    for photo in found:
        session.delete(photo)
    return len(found)


def _delete_mail(session: Session, shop_id: int, person: Person, return_ids: list[int]) -> int:
    """Mail to the person, about their returns, or quoting them (the data-request export)."""
    quoting = [
        func.lower(OutboundEmail.body_text).contains(e, autoescape=True) for e in person.emails
    ]
    match = or_(
        OutboundEmail.return_id.in_(return_ids),
        func.lower(OutboundEmail.to_address).in_(person.emails),
        *quoting,
    )
    query = select(OutboundEmail).where(OutboundEmail.shop_id == shop_id, match)
    ids = [
        mail.id
        for mail in session.scalars(query)
        if mail.return_id in return_ids
        or mail.to_address.lower() in person.emails
        or quotes(mail.body_text, person.emails)  # the SQL match also finds longer addresses
    ]
    session.execute(delete(OutboundEmail).where(OutboundEmail.id.in_(ids)))
    return len(ids)


def _blank_deliveries(
    session: Session, shop_id: int, person: Person, now: datetime, asked_by: int | None
) -> int:
    """Drop the body of every stored delivery that names the person.

    One not yet processed is set aside (ignored) rather than applied after the erasure: it
    would write the person back; the scheduled reconciliation heals the rest of the mirror.
    """
    query = (
        select(InboxDelivery.id, InboxDelivery.topic, InboxDelivery.body)
        .where(InboxDelivery.shop_id == shop_id, InboxDelivery.body.is_not(None))
        .execution_options(yield_per=500)
    )
    named = [row.id for row in session.execute(query) if body_names(row.topic, row.body, person)]
    named.append(asked_by or 0)
    for delivery in session.scalars(select(InboxDelivery).where(InboxDelivery.id.in_(named))):
        delivery.body, delivery.body_pruned_at = None, now
        if delivery.status == InboxStatus.RECEIVED and delivery.id != asked_by:
            delivery.status, delivery.error = InboxStatus.IGNORED, "redacted before processing"
    return len(set(named) - {0})


def _scrub_logs(session: Session, shop_id: int, emails: set[str]) -> None:
    if not emails:
        return
    for column in LOG_TEXTS:
        model: Any = column.class_  # every LOG_TEXTS model has shop_id
        quoting = or_(*[func.lower(column).contains(e, autoescape=True) for e in emails])
        rows: list[Any] = list(
            session.scalars(select(model).where(model.shop_id == shop_id, quoting))
        )
        for row in rows:
            if quotes(getattr(row, column.key), emails):  # not a longer address
                setattr(row, column.key, REDACTED)
