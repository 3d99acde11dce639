"""Tools › Erase Personal Data on the store reaches Reshelf through the plugin's forward
(a signed ``action.wc_reshelf_erase_personal_data`` delivery), and Reshelf then keeps
nothing of the shopper in any column of any table."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from connectors.woocommerce import install
from core.enums import InboxStatus
from core.models import InboxDelivery, Order, OutboundEmail, ReturnRequest
from core.ports import NullDispatcher
from core.services import LineRequest, ensure_default_policy, process_delivery, request_return
from tests.support.live import serve_wsgi
from tests.support.privacy import find_everywhere
from webapp import create_app

JOHN = {
    "email": "john@example.com",
    "first_name": "Johnathan",
    "last_name": "Smithwick",
    "phone": "555-625-1199",
    "address_1": "123 Elm St.",
    "city": "Ottawa",
    "postcode": "K2H7A8",
    "country": "CA",
}
ANN = {
    "email": "ann@example.com",
    "first_name": "Annabel",
    "last_name": "Leeward",
    "phone": "555-000-7777",
    "address_1": "9 Oak Road",
    "city": "Leeds",
    "postcode": "LS1 4AP",
    "country": "GB",
}


@pytest.fixture
def reshelf(engine, db, clock, dispatcher):
    """The web app on real HTTP; yields its base URL."""
    app = create_app(
        {"TESTING": True, "DATABASE_ENGINE": engine, "CLOCK": clock, "DISPATCHER": dispatcher}
    )
    with serve_wsgi(app) as url:
        app.config["PUBLIC_URL"] = url
        yield url


def _process_inbox(db, connector, clock):
    """Apply every delivery received so far, as the worker would."""
    db.expire_all()
    waiting = select(InboxDelivery.id).where(InboxDelivery.status == InboxStatus.RECEIVED)
    for delivery_id in db.scalars(waiting.order_by(InboxDelivery.id)).all():
        process_delivery(db, delivery_id, connector, clock)


def _shop_at_the_store(woo_api, person, product_id, guest=False):
    """``person`` signs up (unless a guest) and buys; their order id."""
    address = {k: person[k] for k in ("first_name", "last_name", "address_1", "city")}
    address.update(postcode=person["postcode"], country=person["country"])
    billing = {**address, "email": person["email"], "phone": person["phone"]}
    customer_id = 0
    if not guest:
        account = {"email": person["email"], "first_name": person["first_name"]}
        account.update(last_name=person["last_name"], billing=billing, shipping=address)
        customer_id = woo_api.post("customers", account).json()["id"]
    order = {
        "payment_method": "stripe",
        "set_paid": True,
        "status": "completed",
        "customer_id": customer_id,
        "billing": billing,
        "shipping": address,
        "line_items": [{"product_id": product_id, "quantity": 2}],
    }
    return woo_api.post("orders", order).json()["id"]


def test_an_erasure_on_the_store_leaves_nothing_of_the_shopper_in_reshelf(
    db, reshelf, woo, woo_shop, woo_api, connector, clock
):
    emulator = woo[0]
    install.subscribe(woo_shop, reshelf)
    product = woo_api.post(
        "products",
        {
            "name": "Tee",
            "sku": "TEE",
            "regular_price": "25",
            "manage_stock": True,
            "stock_quantity": 10,
        },
    ).json()
    johns = [
        _shop_at_the_store(woo_api, JOHN, product["id"]),
        _shop_at_the_store(woo_api, JOHN, product["id"], guest=True),
    ]
    anns = _shop_at_the_store(woo_api, ANN, product["id"])
    assert emulator.dispatcher.drain()
    _process_inbox(db, connector, clock)
    ensure_default_policy(db, woo_shop.id, clock)
    returns = {}
    for order_id, person in ((johns[0], JOHN), (anns, ANN)):
        order = db.scalars(select(Order).where(Order.platform_id == str(order_id))).one()
        returns[person["email"]] = request_return(
            db,
            shop_id=woo_shop.id,
            order_id=order.id,
            actor="shopper",
            clock=clock,
            dispatcher=NullDispatcher(),
            customer_note=f"call me on {person['phone']}",
            lines=[LineRequest(order.lines[0].id, 1, comment=f"{person['first_name']} says")],
        )
    db.add(
        OutboundEmail(
            shop_id=woo_shop.id,
            return_id=returns[JOHN["email"]].id,
            kind="return_requested",
            to_address=JOHN["email"],
            subject="Your return",
            body_text="Dear Johnathan",
            created_at=clock.now(),
        )
    )
    db.commit()
    john = [v for k, v in JOHN.items() if k != "country"]
    assert {hit.split(".")[0] for hit in find_everywhere(db, john)} >= {
        "customers",
        "orders",
        "return_requests",
        "outbound_emails",
        "inbox_deliveries",
    }

    answer = emulator.erase_personal_data("John@example.com")
    assert answer["done"] is True
    assert emulator.dispatcher.drain()
    _process_inbox(db, connector, clock)

    db.expire_all()
    erasure = db.scalars(
        select(InboxDelivery).where(InboxDelivery.topic == "action.wc_reshelf_erase_personal_data")
    ).one()
    assert (erasure.status, erasure.body) == (InboxStatus.PROCESSED, None)
    assert find_everywhere(db, john) == []
    ann = db.get(ReturnRequest, returns[ANN["email"]].id)
    assert (ann.email, ann.customer_note) == (ANN["email"], "call me on 555-000-7777")
    left = {hit.split(".")[0] for hit in find_everywhere(db, [ANN["email"], "9 Oak Road"])}
    assert {"customers", "orders", "return_requests", "inbox_deliveries"} <= left
