"""The mandatory privacy webhooks: data request, customer redact, shop redact.

https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance:
``customers/data_request`` asks for what the app holds on a customer (Reshelf writes an
export for the merchant); ``customers/redact`` asks to erase it (returns keep their numbers
and amounts and lose the person); ``shop/redact`` comes 48 hours after uninstall and asks
to delete the shop's data.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from connectors.shopify.received import Received
from core.clock import SystemClock
from core.models import Customer, InboxDelivery, Order, OutboundEmail, ReturnRequest, Shop
from core.services.mentions import Person
from core.services.redaction import redact_person, redact_shop


def _customer(session: Session, shop: Shop, platform_id: str, email: str | None) -> Customer | None:
    match = Customer.platform_id == platform_id
    if email:
        match = or_(match, Customer.email == email)
    return session.scalars(select(Customer).where(Customer.shop_id == shop.id, match)).first()


def _orders(
    session: Session, shop: Shop, customer: Customer | None, order_ids: list[Any]
) -> list[Order]:
    platform_ids = [f"gid://shopify/Order/{i}" for i in order_ids]
    match: ColumnElement[bool] = Order.platform_id.in_(platform_ids)
    if customer is not None:
        match = or_(match, Order.customer_id == customer.id)
    return list(session.scalars(select(Order).where(Order.shop_id == shop.id, match)))


def export_customer(session: Session, shop: Shop, body: dict[str, Any]) -> dict[str, Any]:
    """Everything Reshelf holds on the customer of a data request, as JSON."""
    person = body.get("customer") or {}
    customer = _customer(
        session, shop, f"gid://shopify/Customer/{person.get('id')}", person.get("email")
    )
    orders = _orders(session, shop, customer, body.get("orders_requested") or [])
    returns = session.scalars(
        select(ReturnRequest).where(ReturnRequest.order_id.in_([o.id for o in orders]))
    )
    return {
        "customer": None
        if customer is None
        else {
            "email": customer.email,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "phone": customer.phone,
            "tags": customer.tags,
        },
        "orders": [
            {"name": o.name, "email": o.email, "country": o.shipping_country} for o in orders
        ],
        "returns": [
            {
                "rma": r.rma,
                "status": r.status.value,
                "email": r.email,
                "note": r.customer_note,
                "lines": [
                    {
                        "sku": li.order_line.sku,
                        "quantity": li.quantity,
                        "reason": li.reason_code,
                        "comment": li.comment,
                    }
                    for li in r.lines
                ],
            }
            for r in returns
        ],
    }


def on_data_request(event: Received) -> None:
    """customers/data_request: queue the export to the merchant."""
    session, shop, body, delivery = event.session, event.shop, event.body, event.delivery
    export = export_customer(session, shop, body)
    request_id = (body.get("data_request") or {}).get("id")
    session.add(
        OutboundEmail(
            shop_id=shop.id,
            kind="customer_data_request",
            to_address=str(shop.settings.get("contact_email") or f"owner@{shop.domain}"),
            subject=f"Customer data request {request_id}: what Reshelf holds",
            body_text=json.dumps(export, indent=2, default=str),
            created_at=delivery.received_at,
        )
    )


def redact_customer(
    session: Session,
    shop: Shop,
    platform_id: str,
    order_ids: list[Any],
    email: str | None = None,
    delivery: InboxDelivery | None = None,
) -> None:
    """Erase a person from every copy Reshelf keeps (``core.services.redaction``)."""
    person = Person(
        emails={email or ""},
        customer_ids={platform_id},
        order_ids={f"gid://shopify/Order/{i}" for i in order_ids},
    )
    now = delivery.received_at if delivery is not None else SystemClock().now()
    redact_person(session, shop.id, person, now, asked_by=delivery.id if delivery else None)


def on_customer_redact(event: Received) -> None:
    """customers/redact: the person goes, and so does this request's own body."""
    body = event.body
    person = body.get("customer") or {}
    redact_customer(
        event.session,
        event.shop,
        f"gid://shopify/Customer/{person.get('id')}",
        body.get("orders_to_redact") or [],
        person.get("email"),
        event.delivery,
    )


def on_shop_redact(event: Received) -> None:
    """shop/redact: delete everything the shop owns except the shop row and this delivery."""
    redact_shop(event.session, event.shop, keep_delivery_id=event.delivery.id)
    event.delivery.body, event.delivery.headers = None, {}
