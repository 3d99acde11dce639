"""Privacy webhooks prove what is gone: customer redact keeps returns but loses the person,
shop redact deletes the shop's data, data requests export what Reshelf holds."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core.config import get_settings
from core.models import (
    Customer,
    InboxDelivery,
    Order,
    OutboundEmail,
    ReturnPhoto,
    ReturnRequest,
    Variant,
)
from core.ports import NullDispatcher
from core.services import LineRequest, ensure_default_policy, request_return
from tests.support.privacy import find_everywhere


def _mirrored_return(db, shop_row, factory):
    customer = Customer(
        shop_id=shop_row.id,
        platform_id="gid://shopify/Customer/191167",
        email="john@example.com",
        first_name="John",
        phone="555",
    )
    db.add(customer)
    db.flush()
    order = factory.order(
        shop_row,
        [(factory.variant(shop_row), 2, Decimal("25.00"))],
        customer_id=customer.id,
        email="john@example.com",
    )
    order.platform_id = "gid://shopify/Order/299938"
    ensure_default_policy(db, shop_row.id, factory.clock)
    request = request_return(
        db,
        shop_id=shop_row.id,
        order_id=order.id,
        actor="shopper",
        clock=factory.clock,
        dispatcher=NullDispatcher(),
        lines=[LineRequest(order.lines[0].id, 1, comment="too big")],
        customer_note="call me on 555",
    )
    return customer, order, request


REDACT = {
    "shop_id": 1,
    "shop_domain": "acme.myshopify.com",
    "customer": {"id": 191167, "email": "john@example.com"},
    "orders_to_redact": [299938],
}


def test_customer_redact_keeps_the_return_and_loses_the_person(db, shop_row, factory, web_post):
    customer, order, request = _mirrored_return(db, shop_row, factory)
    rma, amount = request.rma, request.refund_total
    web_post("customers/redact", REDACT)
    db.expire_all()
    customer, order, request = (
        db.get(Customer, customer.id),
        db.get(Order, order.id),
        db.get(ReturnRequest, request.id),
    )
    assert (customer.email, customer.first_name, customer.phone) == (None, None, None)
    assert customer.redacted_at is not None
    assert order.email is None
    assert (request.email, request.customer_note, request.lines[0].comment) == (None, None, None)
    assert (request.rma, request.refund_total) == (rma, amount)


def test_data_request_exports_what_reshelf_holds(db, shop_row, factory, web_post):
    _, _, request = _mirrored_return(db, shop_row, factory)
    web_post(
        "customers/data_request",
        {**REDACT, "orders_requested": [299938], "data_request": {"id": 9}},
    )
    export = json.loads(db.scalars(select(OutboundEmail)).one().body_text)
    assert export["customer"]["email"] == "john@example.com"
    assert [r["rma"] for r in export["returns"]] == [request.rma]
    assert export["returns"][0]["lines"][0]["comment"] == "too big"


def test_shop_redact_deletes_the_shops_data(db, shop_row, factory, web_post):
    _mirrored_return(db, shop_row, factory)
    web_post("shop/redact", {"shop_id": 1, "shop_domain": shop_row.domain})
    db.expire_all()
    for model in (Customer, Order, ReturnRequest, Variant):
        assert (
            db.scalar(select(func.count()).select_from(model).where(model.shop_id == shop_row.id))
            == 0
        )
    assert db.get(type(shop_row), shop_row.id).credentials is None
    assert [d.body for d in db.scalars(select(InboxDelivery))] == [None]


# The person of Shopify's customers/redact sample, as the store knows them.
JOHN: dict[str, Any] = {
    "id": 191167,
    "email": "john@example.com",
    "phone": "555-625-1199",
    "first_name": "Johnathan",
    "last_name": "Smithwick",
}
JOHN_ADDRESS = {"address1": "123 Elm St.", "city": "Ottawa", "zip": "K2H7A8"}
ANN: dict[str, Any] = {
    "id": 884411,
    "email": "ann@example.com",
    "phone": "555-000-7777",
    "first_name": "Annabel",
    "last_name": "Leeward",
}


def _sample(shared_dir, topic):
    path = shared_dir / "shopify" / "webhooks" / "payloads" / f"{topic.replace('/', '_')}.json"
    return json.loads(path.read_text())


def _address(person):
    """Where ``person`` lives (John at the sample's address, Ann elsewhere)."""
    where = JOHN_ADDRESS if person is JOHN else {"address1": "9 Oak Road", "city": "Leeds"}
    return {
        **where,
        "first_name": person["first_name"],
        "last_name": person["last_name"],
        "phone": person["phone"],
        "name": f"{person['first_name']} {person['last_name']}",
    }


def _customer_of(shared_dir, person):
    """Shopify's customers/create sample, as ``person``."""
    return {
        **_sample(shared_dir, "customers/create"),
        **person,
        "note": None,
        "admin_graphql_api_id": f"gid://shopify/Customer/{person['id']}",
        "default_address": {**_address(person), "customer_id": person["id"]},
    }


def _order_of(shared_dir, person, order_id):
    """Shopify's orders/fulfilled sample, placed by ``person`` to their address."""
    order, address = _sample(shared_dir, "orders/fulfilled"), _address(person)
    return {
        **order,
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#{order_id}",
        "email": person["email"],
        "contact_email": person["email"],
        "phone": person["phone"],
        "customer": _customer_of(shared_dir, person),
        "billing_address": address,
        "shipping_address": address,
        "created_at": "2026-06-10T10:00:00-00:00",
        "processed_at": "2026-06-10T10:00:00-00:00",
        "updated_at": "2026-06-11T10:00:00-00:00",
    }


def _strings(person, address):
    return [
        person["email"],
        person["phone"],
        person["first_name"],
        person["last_name"],
        *address.values(),
    ]


def _two_shoppers(db, shop_row, web_post, shared_dir, clock):
    """John and Ann: orders by webhook, a return each by the portal's use case, mail to
    John and his photo, and the export a data request for him wrote; their returns and
    John's photo file."""
    for person in (JOHN, ANN):
        web_post("customers/create", _customer_of(shared_dir, person))
    for order_id, person in ((299938, JOHN), (280263, JOHN), (777001, ANN)):
        assert web_post("orders/fulfilled", _order_of(shared_dir, person, order_id)).error is None
    ensure_default_policy(db, shop_row.id, clock)
    returns = {}
    for platform_id, person in (("299938", JOHN), ("777001", ANN)):
        order = db.scalars(
            select(Order).where(Order.platform_id == f"gid://shopify/Order/{platform_id}")
        ).one()
        returns[person["email"]] = request_return(
            db,
            shop_id=shop_row.id,
            order_id=order.id,
            actor="shopper",
            clock=clock,
            dispatcher=NullDispatcher(),
            customer_note=f"call me on {person['phone']}",
            lines=[LineRequest(order.lines[0].id, 1, comment=f"{person['first_name']} says")],
        )
    photo = ReturnPhoto(
        shop_id=shop_row.id,
        return_line_id=returns[JOHN["email"]].lines[0].id,
        storage_key=f"{shop_row.id}/john-parcel.jpg",
        content_type="image/jpeg",
        size_bytes=4,
    )
    db.add(photo)
    db.add(
        OutboundEmail(
            shop_id=shop_row.id,
            return_id=returns[JOHN["email"]].id,
            kind="return_requested",
            to_address=JOHN["email"],
            subject="Your return",
            body_text="Dear Johnathan",
            created_at=clock.now(),
        )
    )
    db.commit()
    path = get_settings().instance_path / "uploads" / photo.storage_key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"jpeg")
    request = {**_sample(shared_dir, "customers/data_request"), "customer": JOHN}
    web_post("customers/data_request", request)
    assert "Smithwick" in db.scalars(select(OutboundEmail.body_text)).all()[-1]
    return returns, path


def test_after_customers_redact_no_table_holds_the_person(
    db, shop_row, web_post, shared_dir, clock
):
    """After customers/redact, every column of every table is free of the person, and the
    other shopper of the same shop is untouched."""
    returns, path = _two_shoppers(db, shop_row, web_post, shared_dir, clock)
    before = {hit.split(".")[0] for hit in find_everywhere(db, _strings(JOHN, JOHN_ADDRESS))}
    assert before == {
        "customers",
        "orders",
        "return_requests",
        "return_lines",
        "outbound_emails",
        "inbox_deliveries",
    }
    redact = {**_sample(shared_dir, "customers/redact"), "shop_domain": shop_row.domain}
    redact["customer"] = {k: JOHN[k] for k in ("id", "email", "phone")}
    assert web_post("customers/redact", redact).status.value == "processed"

    db.expire_all()
    assert find_everywhere(db, _strings(JOHN, JOHN_ADDRESS)) == []
    assert not path.exists()
    ann_left = find_everywhere(db, [ANN["email"], ANN["last_name"], "9 Oak Road"])
    tables = {hit.split(".")[0] for hit in ann_left}
    assert {"customers", "orders", "return_requests", "inbox_deliveries"} <= tables
    ann_return = db.get(ReturnRequest, returns[ANN["email"]].id)
    assert (ann_return.email, ann_return.customer_note) == (ANN["email"], "call me on 555-000-7777")
    assert ann_return.lines[0].comment == "Annabel says"
    john_return = db.get(ReturnRequest, returns[JOHN["email"]].id)
    assert (john_return.rma, john_return.refund_total) == (
        returns[JOHN["email"]].rma,
        returns[JOHN["email"]].refund_total,
    )


def test_after_shop_redact_no_table_holds_any_shopper(db, shop_row, web_post, shared_dir, clock):
    """shop/redact (48 hours after uninstall) leaves no shopper of the shop anywhere."""
    _, path = _two_shoppers(db, shop_row, web_post, shared_dir, clock)
    web_post("shop/redact", {**_sample(shared_dir, "shop/redact"), "shop_domain": shop_row.domain})
    db.expire_all()
    strings = _strings(JOHN, JOHN_ADDRESS) + _strings(ANN, {"a": "9 Oak Road"})
    assert find_everywhere(db, strings) == []
    assert not path.exists()
