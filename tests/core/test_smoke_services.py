"""The happy path through the services, end to end on the database."""

from __future__ import annotations

from decimal import Decimal

from core.enums import Disposition, Grade, LedgerState, ReturnStatus
from core.models import StockMovement
from core.services import (
    LineRequest,
    grade_line,
    receive_return,
    request_return,
    resolve_return,
)


def test_request_receive_grade_writes_one_pending_movement(db, factory, clock, dispatcher):
    shop = factory.shop()
    variant = factory.variant(shop)
    order = factory.order(shop, [(variant, 2, Decimal("30.00"))])
    db.commit()
    line = order.lines[0]
    ret = request_return(
        db,
        shop_id=shop.id,
        order_id=order.id,
        lines=[LineRequest(line.id, 2, "too_small")],
        actor="shopper",
        clock=clock,
        dispatcher=dispatcher,
    )
    assert ret.status == ReturnStatus.APPROVED
    assert ret.refund_total == Decimal("60.00")
    receive_return(
        db,
        shop_id=shop.id,
        return_id=ret.id,
        received={ret.lines[0].id: 2},
        actor="bench",
        clock=clock,
        dispatcher=dispatcher,
    )
    grade_line(
        db,
        shop_id=shop.id,
        return_line_id=ret.lines[0].id,
        grade=Grade.NEW,
        disposition=Disposition.RESTOCK,
        actor="bench",
        clock=clock,
        dispatcher=dispatcher,
    )
    movements = db.query(StockMovement).all()
    assert [(m.quantity, m.state) for m in movements] == [(2, LedgerState.PENDING)]
    assert ("movement", movements[0].id) in dispatcher.sent
    assert ret.status == ReturnStatus.GRADED
    settlements = resolve_return(
        db, shop_id=shop.id, return_id=ret.id, actor="desk", clock=clock, dispatcher=dispatcher
    )
    assert [(s.kind.value, s.amount) for s in settlements] == [("refund", Decimal("60.00"))]
