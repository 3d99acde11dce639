"""The portal's order lookup and the desk's list."""

from __future__ import annotations

from datetime import timedelta

from core.enums import Channel, ReturnStatus
from core.models import ReturnRequest
from core.queries import desk_page, find_order_for_shopper


def test_lookup_ignores_case_and_hash_and_refuses_a_wrong_email(db, factory):
    shop, other = factory.shop(), factory.shop()
    order = factory.order(shop, number="1042", email="Ana@Example.com")
    factory.order(other, number="1042", email="ana@example.com")
    db.commit()
    assert find_order_for_shopper(db, shop.id, " #1042", "ana@EXAMPLE.com ").id == order.id
    assert find_order_for_shopper(db, shop.id, "1042", "bob@example.com") is None
    assert find_order_for_shopper(db, shop.id, "1042", "") is None


def test_desk_lists_one_shops_returns_newest_first_by_status(db, factory, clock):
    shop, other = factory.shop(), factory.shop()
    order, foreign = factory.order(shop), factory.order(other)
    for i, status in enumerate(
        [ReturnStatus.APPROVED, ReturnStatus.REJECTED, ReturnStatus.APPROVED]
    ):
        db.add(_return(shop.id, order.id, f"AAA-{i:03}", status, clock.now() + timedelta(hours=i)))
    db.add(_return(other.id, foreign.id, "AAA-999", ReturnStatus.APPROVED, clock.now()))
    db.commit()
    approved = desk_page(db, shop.id, ReturnStatus.APPROVED)
    assert [r.rma for r in approved] == ["AAA-002", "AAA-000"]
    assert [r.rma for r in desk_page(db, shop.id)] == ["AAA-002", "AAA-001", "AAA-000"]


def _return(shop_id, order_id, rma, status, at):
    return ReturnRequest(
        shop_id=shop_id,
        order_id=order_id,
        rma=rma,
        status=status,
        channel=Channel.PORTAL,
        currency="USD",
        requested_at=at,
        created_at=at,
    )
