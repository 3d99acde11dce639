"""The admin: sign-in, the list, deciding, receiving, and grading (which writes the ledger)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.enums import LedgerState, ResolutionKind, ReturnStatus, Role
from core.models import ReturnRequest, Settlement, StockMovement
from core.queries import DESK_PAGE_SIZE
from core.services import LineRequest, publish_policy, request_return
from core.services.policies import create_draft
from tests.webapp.actions import AdminActions, csrf_token
from tests.webapp.conftest import STAFF_EMAIL, STAFF_PASSWORD
from webapp.users import add_user


@pytest.fixture
def make_return(db, store, clock, dispatcher):
    """Request a return of the store's shirts through the service, as the portal would."""

    def make(quantity: int = 2) -> ReturnRequest:
        """Request ``quantity`` of the shirts back."""
        line = LineRequest(store.order.lines[0].id, quantity, "too_small")
        return request_return(
            db,
            shop_id=store.shop.id,
            order_id=store.order.id,
            lines=[line],
            actor="shopper",
            clock=clock,
            dispatcher=dispatcher,
        )

    return make


def _status(db, ret: ReturnRequest) -> ReturnStatus:
    """The status as stored now, not as this session last saw it."""
    db.rollback()  # end any read transaction, so the app's commits are visible
    db.expire_all()  # and forget what was loaded before them
    status: ReturnStatus = db.get(ReturnRequest, ret.id).status
    return status


def test_every_admin_page_needs_a_sign_in(client, store, make_return):
    ret = make_return()
    for path in ("/admin/", f"/admin/returns/{ret.id}"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/admin/login")


def test_a_wrong_password_does_not_sign_in(client, staff):
    response = AdminActions(client).login(STAFF_EMAIL, "wrong")
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/admin/returns/7", "/admin/returns/7"),
        ("https://evil.example/", "/admin/"),
        ("//evil.example/", "/admin/"),
        ("/\\evil.example/", "/admin/"),
    ],
)
def test_sign_in_follows_next_only_within_the_site(client, staff, target, landing):
    page = client.get("/admin/login")
    form = {"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": csrf_token(page)}
    response = client.post("/admin/login", query_string={"next": target}, data=form)
    assert response.headers["Location"] == landing


def test_staff_of_two_shops_can_switch_between_them(admin, db, factory, staff, make_return):
    mine = make_return()
    other = factory.shop(name="Second Shop")
    db.commit()
    add_user(db, STAFF_EMAIL, STAFF_PASSWORD, other, Role.AGENT)
    page = admin.client.get("/admin/")
    assert "Second Shop" in page.get_data(as_text=True)
    form = {"shop_id": str(other.id), "csrf_token": csrf_token(page)}
    admin.client.post("/admin/shop", data=form)
    assert mine.rma not in admin.client.get("/admin/").get_data(as_text=True)
    stranger = factory.shop()
    db.commit()
    form["shop_id"] = str(stranger.id)
    assert admin.client.post("/admin/shop", data=form).status_code == 403


def test_returns_are_listed_newest_first_and_filtered_by_status(admin, make_return, db, clock):
    older = make_return(1)
    clock.advance(hours=1)
    newer = make_return(1)
    page = admin.client.get("/admin/").get_data(as_text=True)
    assert page.index(newer.rma) < page.index(older.rma)
    approved = admin.client.get("/admin/?status=approved").get_data(as_text=True)
    assert newer.rma in approved
    assert older.rma not in admin.client.get("/admin/?status=rejected").get_data(as_text=True)


def test_the_list_pages_through_older_returns(admin, db, store, factory, clock, dispatcher):
    rmas = []
    for _ in range(DESK_PAGE_SIZE + 1):
        order = factory.order(store.shop)
        db.commit()
        line = LineRequest(order.lines[0].id, 1, "too_small")
        ret = request_return(
            db,
            shop_id=store.shop.id,
            order_id=order.id,
            lines=[line],
            actor="shopper",
            clock=clock,
            dispatcher=dispatcher,
        )
        rmas.append(ret.rma)
    first = admin.client.get("/admin/").get_data(as_text=True)
    second = admin.client.get("/admin/?page=2").get_data(as_text=True)
    assert rmas[0] not in first
    assert "Older" in first
    assert rmas[0] in second
    assert "Newer" in second
    assert "Older" not in second


def test_a_return_held_for_review_can_be_approved(admin, db, store, clock, make_return):
    review = [{"name": "Review all", "when": {}, "then": {"approval": "review"}}]
    publish_policy(db, create_draft(db, store.shop.id, review), "test", clock)
    db.commit()
    ret = make_return()
    assert ret.status == ReturnStatus.NEEDS_REVIEW
    page = admin.approve(ret.id).get_data(as_text=True)
    assert _status(db, ret) == ReturnStatus.APPROVED
    assert "needs_review → approved" in page  # the audit trail shows who moved it


def test_rejecting_needs_a_reason(admin, db, store, clock, make_return):
    review = [{"name": "Review all", "when": {}, "then": {"approval": "review"}}]
    publish_policy(db, create_draft(db, store.shop.id, review), "test", clock)
    db.commit()
    ret = make_return()
    assert "Say why" in admin.reject(ret.id, " ").get_data(as_text=True)
    assert _status(db, ret) == ReturnStatus.NEEDS_REVIEW
    admin.reject(ret.id, "Worn items cannot come back.")
    assert _status(db, ret) == ReturnStatus.REJECTED


def test_receiving_and_grading_restock_writes_one_stock_movement(admin, db, make_return):
    ret = make_return(2)
    line_id = ret.lines[0].id
    admin.receive(ret.id, {line_id: 2})
    assert _status(db, ret) == ReturnStatus.RECEIVED
    admin.grade(ret.id, line_id, "like_new", "restock")
    again = admin.grade(ret.id, line_id, "new", "restock")
    assert "already graded" in again.get_data(as_text=True)
    db.rollback()
    movements = db.scalars(select(StockMovement)).all()
    assert [(m.return_line_id, m.quantity, m.state) for m in movements] == [
        (line_id, 2, LedgerState.PENDING)
    ]
    assert _status(db, ret) == ReturnStatus.GRADED


def test_a_parcel_on_its_way_keeps_its_tracking_number(admin, db, make_return):
    ret = make_return()
    page = admin.mark_in_transit(ret.id, "DHL", "JD0142").get_data(as_text=True)
    assert _status(db, ret) == ReturnStatus.IN_TRANSIT
    assert db.get(ReturnRequest, ret.id).tracking_number == "JD0142"
    assert "carrier=DHL" in page


def test_a_graded_return_is_settled_then_closed_once_the_store_confirms(
    admin, db, make_return, dispatcher
):
    ret = make_return(2)
    admin.receive(ret.id, {ret.lines[0].id: 2})
    graded = admin.grade(ret.id, ret.lines[0].id, "new", "restock").get_data(as_text=True)
    assert "Restock" in graded
    assert "pending" in graded
    page = admin.resolve(ret.id).get_data(as_text=True)
    db.rollback()
    settlement = db.scalars(select(Settlement)).one()
    assert (settlement.kind, settlement.amount) == (ResolutionKind.REFUND, Decimal("80.00"))
    assert ("settlement", settlement.id) in dispatcher.sent
    assert "80.00 USD" in page
    assert "still has refund to settle" in admin.close(ret.id).get_data(as_text=True)
    assert _status(db, ret) == ReturnStatus.GRADED
    settlement.state, settlement.store_reference = LedgerState.APPLIED, "refund-1"
    db.commit()
    admin.close(ret.id)
    assert _status(db, ret) == ReturnStatus.CLOSED


def test_receiving_more_than_was_asked_is_refused(admin, db, make_return):
    ret = make_return(1)
    page = admin.receive(ret.id, {ret.lines[0].id: 5}).get_data(as_text=True)
    assert "received 5 of a line that was to bring 1" in page
    assert _status(db, ret) == ReturnStatus.APPROVED


def test_forms_without_the_csrf_token_are_refused(admin, db, make_return):
    ret = make_return()
    response = admin.client.post(f"/admin/returns/{ret.id}/receive", data={})
    assert response.status_code == 400
    assert "Go back, reload the page" in response.get_data(as_text=True)
    assert _status(db, ret) == ReturnStatus.APPROVED


def test_warehouse_staff_cannot_approve(client, db, store, clock, make_return):
    add_user(db, "bench@example.com", "pw-bench", store.shop, Role.WAREHOUSE)
    ret = make_return()
    bench = AdminActions(client)
    bench.login("bench@example.com", "pw-bench")
    page = client.get(f"/admin/returns/{ret.id}")
    response = client.post(
        f"/admin/returns/{ret.id}/reject", data={"reason": "no", "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 403


def test_another_shops_return_is_not_found(admin, db, factory, clock, dispatcher):
    other = factory.shop()
    order = factory.order(other)
    db.commit()
    line = LineRequest(order.lines[0].id, 1, "too_small")
    theirs = request_return(
        db,
        shop_id=other.id,
        order_id=order.id,
        lines=[line],
        actor="shopper",
        clock=clock,
        dispatcher=dispatcher,
    )
    assert admin.client.get(f"/admin/returns/{theirs.id}").status_code == 404
    assert theirs.rma not in admin.client.get("/admin/").get_data(as_text=True)
    page = admin.client.get("/admin/")
    form = {"grade": "new", "disposition": "restock", "csrf_token": csrf_token(page)}
    graded = admin.client.post(f"/admin/lines/{theirs.lines[0].id}/grade", data=form)
    assert graded.status_code == 404


def test_attention_flags_are_shown(admin, db, make_return, clock):
    ret = make_return()
    ret.attention = "refund failed: gateway declined"
    db.commit()
    assert ret.attention in admin.client.get("/admin/").get_data(as_text=True)
    assert ret.attention in admin.client.get(f"/admin/returns/{ret.id}").get_data(as_text=True)
