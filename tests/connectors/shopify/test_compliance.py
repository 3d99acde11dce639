"""Privacy webhooks prove what is gone: customer redact keeps returns but loses the person,
shop redact deletes the shop's data, data requests export what Reshelf holds."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import func, select

from core.models import Customer, InboxDelivery, Order, OutboundEmail, ReturnRequest, Variant
from core.ports import NullDispatcher
from core.services import LineRequest, ensure_default_policy, request_return


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
