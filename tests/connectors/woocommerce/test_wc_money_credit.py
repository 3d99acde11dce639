"""Store credit reaches the shopper: the order's customer note, the store's email, the portal.

WooCommerce emails a customer note to the order's billing address (WC_Email_Customer_Note);
the emulator records what it sent in ``Store.emails``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from connectors.woocommerce.connector import WooCommerceConnector
from core.clock import FrozenClock
from core.enums import LedgerState, ResolutionKind
from core.ports import RecordingDispatcher
from core.services import apply_settlement, resolve_return
from tests.connectors.woocommerce.returns import graded_return
from webapp import create_app


@pytest.fixture
def now():
    return FrozenClock(datetime.now(UTC))


@pytest.fixture
def credited(db, woo_shop, woo_client, seed, now):
    """A return settled as store credit on the store, applied twice (a lost answer)."""
    seeded = seed(quantity=1)
    request = graded_return(
        db, woo_shop, woo_client, seeded["order"], now, resolution=ResolutionKind.STORE_CREDIT
    )
    connector = WooCommerceConnector(woo_shop, public_url="http://127.0.0.1:9")
    (settlement,) = resolve_return(
        db,
        shop_id=woo_shop.id,
        return_id=request.id,
        actor="desk",
        clock=now,
        dispatcher=RecordingDispatcher(),
    )
    apply_settlement(db, settlement.id, connector, now)
    settlement.state = LedgerState.PENDING
    db.commit()
    apply_settlement(db, settlement.id, connector, now)
    (coupon,) = woo_client.get("coupons")
    return seeded["order"], request, settlement, coupon


def test_the_coupon_code_is_a_customer_note_with_money_amounts(woo_client, credited):
    order, request, _, coupon = credited
    notes = woo_client.get(f"orders/{order['id']}/notes")
    for_shopper = [n["note"] for n in notes if n["customer_note"]]
    assert len(for_shopper) == 1  # applied twice, noted once
    assert coupon["code"].upper() in for_shopper[0].upper()
    assert request.rma in for_shopper[0]
    amounts = re.findall(r"\d+\.\d+", " ".join(n["note"] for n in notes))
    assert amounts
    assert all(re.fullmatch(r"\d+\.\d\d", a) for a in amounts), amounts
    assert coupon["amount"] == "25.00"


def test_the_store_emails_the_code_to_the_shopper(woo, credited):
    _, _, _, coupon = credited
    sent = [e for e in woo[0].store.emails if e["id"] == "customer_note"]
    assert [e["to"] for e in sent] == ["ann@example.com"]
    assert coupon["code"].upper() in sent[0]["body"].upper()
    assert "25.00 " in sent[0]["body"]


def test_the_portals_status_page_shows_the_code(engine, db, clock, dispatcher, woo_shop, credited):
    _, request, settlement, coupon = credited
    app = create_app(
        {"TESTING": True, "DATABASE_ENGINE": engine, "CLOCK": clock, "DISPATCHER": dispatcher}
    )
    browser = app.test_client()
    with browser.session_transaction() as cookie:
        cookie["portal_rmas"] = [request.rma]  # the browser that asked for this return
    page = browser.get(f"/returns/{woo_shop.key}/confirmation/{request.rma}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'<strong class="coupon-code">{settlement.store_answer["coupon"]}</strong>' in text
    assert coupon["code"].upper() == settlement.store_answer["coupon"].upper()
    assert re.search(r"Your store credit of 25\.00 [A-Z]{3}: use the coupon code", text)
