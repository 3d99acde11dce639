"""core.services.redaction: what names a person, what is scrubbed, what stays."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from core.enums import InboxStatus, Platform
from core.models import Customer, InboxDelivery, SyncRun
from core.services.mentions import REDACTED, Person, mentions
from core.services.redaction import photo_path, redact_person

JOHN = Person(emails={"John@Example.com"}, customer_ids={"7"}, order_ids={"70"})


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("order.updated", {"id": 3, "billing": {"email": "JOHN@example.com"}}),
        ("customer.updated", {"id": 7}),
        ("order.updated", {"id": 70}),
        ("order.updated", {"id": 71, "customer_id": 7}),
        ("action.woocommerce_order_refunded", {"action": "x", "arg": 70}),
        ("refunds/create", {"id": 9, "order_id": 70}),
        ("returns/request", {"id": 9, "order": {"id": 70}}),
        ("orders/create", {"id": 5, "customer": {"id": 7, "email": None}}),
    ],
)
def test_a_body_names_the_person_by_email_or_by_an_id_of_the_right_kind(topic, payload):
    assert mentions(topic, payload, JOHN)


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("product.updated", {"id": 7}),  # WooCommerce ids are shared by kinds of post
        ("order.updated", {"id": 7, "customer_id": 0}),  # the order 7, of a guest
        ("customer.updated", {"id": 70}),
        ("order.updated", {"id": 71, "line_items": [{"product_id": 7, "quantity": 7}]}),
        ("order.updated", {"id": 72, "billing": {"email": "ann@example.com"}}),
        ("order.updated", {"id": 73, "billing": {"email": "bigjohn@example.community"}}),
    ],
)
def test_a_body_of_someone_else_with_the_same_numbers_is_not_named(topic, payload):
    assert not mentions(topic, payload, JOHN)


def _delivery(db, shop, key, payload, status=InboxStatus.PROCESSED, clock=None):
    row = InboxDelivery(
        shop_id=shop.id,
        platform=Platform.WOOCOMMERCE,
        topic="order.updated",
        dedupe_key=key,
        body=json.dumps(payload).encode(),
        status=status,
        received_at=clock.now(),
    )
    db.add(row)
    return row


def test_an_unprocessed_delivery_naming_the_person_is_set_aside_not_applied(db, factory, clock):
    shop = factory.shop(platform=Platform.WOOCOMMERCE)
    waiting = _delivery(
        db, shop, "a", {"id": 70, "billing": {"email": "x"}}, InboxStatus.RECEIVED, clock
    )
    other = _delivery(
        db,
        shop,
        "b",
        {"id": 72, "billing": {"email": "ann@example.com"}},
        InboxStatus.RECEIVED,
        clock,
    )
    db.commit()
    redact_person(db, shop.id, Person(order_ids={"70"}), clock.now())
    db.commit()
    db.expire_all()
    waiting, other = db.get(InboxDelivery, waiting.id), db.get(InboxDelivery, other.id)
    assert (waiting.body, waiting.status, waiting.body_pruned_at) == (
        None,
        InboxStatus.IGNORED,
        clock.now(),
    )
    assert (other.body is not None, other.status) == (True, InboxStatus.RECEIVED)


def _customer(db, shop, **values):
    customer = Customer(shop_id=shop.id, **values)
    db.add(customer)
    db.flush()
    return customer


def test_the_person_found_by_id_brings_their_email_and_is_scrubbed_from_logs(db, factory, clock):
    shop, elsewhere = factory.shop(), factory.shop()
    _customer(
        db,
        shop,
        platform_id="gid://shopify/Customer/7",
        email="john@example.com",
        first_name="Johnathan",
        phone="555",
    )
    kept = _customer(
        db, elsewhere, platform_id="gid://shopify/Customer/7", email="john@example.com"
    )
    run = SyncRun(
        shop_id=shop.id,
        kind="backfill",
        resource="orders",
        started_at=clock.now(),
        error="store said: john@example.com is not a valid email",
    )
    db.add(run)
    db.commit()
    redact_person(db, shop.id, Person(customer_ids={"gid://shopify/Customer/7"}), clock.now())
    db.commit()
    db.expire_all()
    gone = db.scalars(select(Customer).where(Customer.shop_id == shop.id)).one()
    assert (gone.email, gone.first_name, gone.phone, gone.redacted_at) == (
        None,
        None,
        None,
        clock.now(),
    )
    assert db.get(SyncRun, run.id).error == REDACTED
    assert db.get(Customer, kept.id).email == "john@example.com"  # another shop's customer


def test_a_guest_keyed_by_email_loses_the_key(db, factory, clock):
    shop = factory.shop(platform=Platform.WOOCOMMERCE)
    guest = _customer(db, shop, platform_id="guest:john@example.com", email="john@example.com")
    db.commit()
    redact_person(db, shop.id, Person(emails={"john@example.com"}), clock.now())
    db.commit()
    assert db.get(Customer, guest.id).platform_id == f"redacted:{guest.id}"


def test_photo_keys_cannot_point_outside_the_uploads_folder():
    assert photo_path("../encryption.key") is None
    assert photo_path("3/parcel.jpg").name == "parcel.jpg"


def test_mail_and_logs_of_someone_whose_address_contains_the_persons_stay(db, factory, clock):
    """Redacting ann@example.com (or j_n@…, ``_`` a LIKE wildcard) leaves joann's and jon's."""
    from core.models import OutboundEmail

    shop = factory.shop()
    for to in ("ann@example.com", "joann@example.com", "jon@example.com", "j_n@example.com"):
        db.add(
            OutboundEmail(
                shop_id=shop.id,
                kind="export",
                to_address="owner@shop.example",
                subject="Customer data request",
                body_text=json.dumps({"email": to}),
                created_at=clock.now(),
            )
        )
    run = SyncRun(
        shop_id=shop.id,
        kind="backfill",
        resource="orders",
        started_at=clock.now(),
        error="joann@example.com refused",
    )
    db.add(run)
    db.commit()
    person = Person(emails={"ann@example.com", "j_n@example.com"})
    redact_person(db, shop.id, person, clock.now())
    db.commit()
    left = [json.loads(m.body_text)["email"] for m in db.scalars(select(OutboundEmail))]
    assert sorted(left) == ["joann@example.com", "jon@example.com"]
    assert db.get(SyncRun, run.id).error == "joann@example.com refused"
