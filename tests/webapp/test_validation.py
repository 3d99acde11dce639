"""Input is checked before anything is stored: the portal's return form and the admin's forms."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.enums import ReturnStatus
from core.models import ReturnEvent, ReturnRequest
from core.services import LineRequest, publish_policy, request_return
from core.services.policies import create_draft

MAX_UNITS, NOTE_LENGTH, REJECT_REASON_LENGTH = 9999, 2000, 1000  # webapp.forms' limits


def _returns(db) -> int:
    """How many returns are stored now."""
    db.rollback()
    return db.scalar(select(func.count(ReturnRequest.id))) or 0


def test_a_reason_that_is_not_the_shops_is_refused(portal, store, db):
    shirt = store.order.lines[0]
    for reason in ("x" * 100_000, "not_a_reason"):
        response = portal.request_return("1001", store.email, {shirt.id: (1, reason, "refund")})
        assert response.status_code == 200
        assert "Choose a reason from the list." in response.get_data(as_text=True)
    assert _returns(db) == 0


def test_no_reason_is_preselected_and_one_must_be_chosen(portal, store, client, db):
    portal.find("1001", store.email)
    page = client.get(f"{portal.base}/order").get_data(as_text=True)
    assert '<option value="" selected>Choose a reason</option>' in page
    shirt = store.order.lines[0]
    response = portal.request_return("1001", store.email, {shirt.id: (1, "", "refund")})
    assert "Choose why you are returning it." in response.get_data(as_text=True)
    assert _returns(db) == 0


@pytest.mark.parametrize("quantity", ["abc", "²", "٣", "1_0", "-1", str(MAX_UNITS + 1)])
def test_a_quantity_that_is_not_plain_digits_gets_one_clear_message(portal, store, db, quantity):
    shirt = store.order.lines[0]
    response = portal.request_return(
        "1001", store.email, {shirt.id: (quantity, "too_small", "refund")}
    )
    page = response.get_data(as_text=True)
    assert f"The quantity must be a whole number from 0 to {MAX_UNITS}." in page
    assert "invalid literal" not in page
    assert _returns(db) == 0


def test_a_resolution_that_is_not_offered_is_refused(portal, store, db):
    shirt = store.order.lines[0]
    response = portal.request_return("1001", store.email, {shirt.id: (1, "too_small", "cash")})
    assert "Choose a resolution from the list." in response.get_data(as_text=True)
    assert _returns(db) == 0


@pytest.fixture
def ret(db, store, clock, dispatcher):
    """A return of one shirt, held for review so that it can be approved or rejected."""
    review = [{"name": "Review all", "when": {}, "then": {"approval": "review"}}]
    publish_policy(db, create_draft(db, store.shop.id, review), "test", clock)
    db.commit()
    line = LineRequest(store.order.lines[0].id, 1, "too_small")
    return request_return(
        db,
        shop_id=store.shop.id,
        order_id=store.order.id,
        lines=[line],
        actor="shopper",
        clock=clock,
        dispatcher=dispatcher,
    )


def _stored(db, ret: ReturnRequest):
    """The return as stored now."""
    db.rollback()
    db.expire_all()
    return db.get_one(ReturnRequest, ret.id)


@pytest.mark.parametrize(
    ("carrier", "tracking", "message"),
    [
        ("D" * 65, "JD0142", "The carrier can be at most 64 characters."),
        ("DHL", "9" * 129, "The tracking number can be at most 128 characters."),
    ],
)
def test_carrier_and_tracking_number_fit_their_columns(admin, db, ret, carrier, tracking, message):
    admin.approve(ret.id)
    page = admin.mark_in_transit(ret.id, carrier, tracking).get_data(as_text=True)
    assert message in page
    stored = _stored(db, ret)
    assert (stored.status, stored.carrier, stored.tracking_number) == (
        ReturnStatus.APPROVED,
        None,
        None,
    )


def test_a_rejection_reason_and_a_note_have_a_limit(admin, db, ret):
    page = admin.reject(ret.id, "n" * (REJECT_REASON_LENGTH + 1)).get_data(as_text=True)
    assert f"The reason can be at most {REJECT_REASON_LENGTH} characters." in page
    assert _stored(db, ret).status == ReturnStatus.NEEDS_REVIEW
    form = {"note": "n" * (NOTE_LENGTH + 1)}
    page = admin._post(ret.id, f"/admin/returns/{ret.id}/approve", form).get_data(as_text=True)
    assert f"The note can be at most {NOTE_LENGTH} characters." in page
    assert _stored(db, ret).status == ReturnStatus.NEEDS_REVIEW
    admin._post(ret.id, f"/admin/returns/{ret.id}/approve", {"note": "  checked the photos "})
    assert _stored(db, ret).status == ReturnStatus.APPROVED
    notes = db.scalars(select(ReturnEvent.data).where(ReturnEvent.return_id == ret.id)).all()
    assert any(data.get("note") == "checked the photos" for data in notes)


def test_a_received_quantity_in_other_digits_gets_the_clear_message(admin, db, ret):
    admin.approve(ret.id)
    form = {f"received-{ret.lines[0].id}": "²"}
    page = admin._post(ret.id, f"/admin/returns/{ret.id}/receive", form).get_data(as_text=True)
    assert f"The received quantity must be a whole number from 0 to {MAX_UNITS}." in page
    assert _stored(db, ret).status == ReturnStatus.APPROVED


@pytest.mark.parametrize("page", [str(10**30), "99999999999", "-3", "0", "²"])
def test_any_page_number_shows_a_page(admin, ret, page):
    response = admin.client.get("/admin/", query_string={"page": page})
    assert response.status_code == 200
