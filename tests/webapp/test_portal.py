"""The shopper's portal: lookup without enumeration, decisions per line, submitting a return."""

from __future__ import annotations

from sqlalchemy import select

from core.enums import ReturnStatus
from core.models import ReturnRequest
from webapp.portal.lookup import NOT_FOUND


def test_lookup_with_number_and_email_opens_the_order(portal, store):
    response = portal.find("#1001", "  Shopper@Example.com ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/returns/{store.shop.key}/order")


def test_wrong_email_and_unknown_number_get_the_same_answer(portal, store):
    wrong_email = portal.find("1001", "someone-else@example.com")
    unknown_number = portal.find("9999", store.email)
    for response in (wrong_email, unknown_number):
        assert response.status_code == 200
        assert NOT_FOUND in response.get_data(as_text=True)
    assert portal.client.get(f"{portal.base}/order").status_code == 302  # still no order


def test_order_page_shows_each_lines_decision(portal, client):
    portal.find("1001", "shopper@example.com")
    page = client.get(f"{portal.base}/order").get_data(as_text=True)
    assert "You can return this item until" in page
    assert "Final sale items cannot be returned." in page
    assert page.count('name="quantity-') == 1  # only the eligible line can be chosen
    assert '<option value="2">2</option>' in page  # both shirts can still come back


def test_submitting_a_return_shows_its_rma(portal, store, db, dispatcher):
    shirt = store.order.lines[0]
    response = portal.request_return("1001", store.email, {shirt.id: (2, "too_small", "refund")})
    assert response.status_code == 200
    db.rollback()
    ret = db.scalars(select(ReturnRequest)).one()
    assert ret.status == ReturnStatus.APPROVED
    assert [(line.order_line_id, line.quantity) for line in ret.lines] == [(shirt.id, 2)]
    page = response.get_data(as_text=True)
    assert ret.rma in page
    assert "Your return is approved" in page
    assert ("return_sync", ret.id) in dispatcher.sent


def test_returned_units_cannot_be_asked_for_again(portal, store, client):
    shirt = store.order.lines[0]
    portal.request_return("1001", store.email, {shirt.id: (2, "too_small", "refund")})
    again = portal.request_return("1001", store.email, {shirt.id: (1, "too_small", "refund")})
    assert "only 0 of" in again.get_data(as_text=True)
    page = client.get(f"{portal.base}/order").get_data(as_text=True)
    assert "Everything on this line has already been returned." in page


def test_a_return_with_nothing_chosen_is_refused(portal, store):
    shirt = store.order.lines[0]
    response = portal.request_return("1001", store.email, {shirt.id: (0, "too_small", "refund")})
    assert "Choose how many of at least one item" in response.get_data(as_text=True)


def test_confirmation_is_only_shown_to_the_browser_that_asked(portal, store, app, db):
    portal.request_return("1001", store.email)
    rma = db.scalars(select(ReturnRequest.rma)).one()
    url = f"{portal.base}/confirmation/{rma}"
    assert portal.client.get(url).status_code == 200
    assert app.test_client().get(url).status_code == 404


def test_unknown_shop_is_not_found(client, store):
    assert client.get("/returns/no-such-shop/").status_code == 404


def test_portal_root_leads_to_the_only_shop(client, store):
    response = client.get("/returns/")
    assert response.headers["Location"].endswith(f"/returns/{store.shop.key}/")
