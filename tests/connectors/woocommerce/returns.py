"""A return graded for restock on a mirrored WooCommerce order, for the ledger tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from connectors.woocommerce import sync
from core.enums import Disposition, Grade, ResolutionKind
from core.models import Order, ReturnRequest
from core.ports import RecordingDispatcher
from core.services import (
    LineRequest,
    ensure_default_policy,
    grade_line,
    receive_return,
    request_return,
)


def graded_return(
    db: Any,
    shop: Any,
    client: Any,
    order_payload: dict[str, Any],
    now: Any,
    resolution: ResolutionKind = ResolutionKind.REFUND,
    units: int = 1,
) -> ReturnRequest:
    """Mirror the store, then request, receive and grade ``units`` of the first line."""
    sync.sync_all(db, shop, client, full=True, clock=now)
    ensure_default_policy(db, shop.id, now)
    order = db.scalars(select(Order).where(Order.platform_id == str(order_payload["id"]))).one()
    dispatcher = RecordingDispatcher()
    request = request_return(
        db,
        shop_id=shop.id,
        order_id=order.id,
        actor="shopper",
        clock=now,
        lines=[LineRequest(order.lines[0].id, units, None, resolution)],
        dispatcher=dispatcher,
    )
    receive_return(
        db,
        shop_id=shop.id,
        return_id=request.id,
        actor="bench",
        clock=now,
        received={request.lines[0].id: units},
        dispatcher=dispatcher,
    )
    grade_line(
        db,
        shop_id=shop.id,
        return_line_id=request.lines[0].id,
        grade=Grade.NEW,
        disposition=Disposition.RESTOCK,
        actor="bench",
        clock=now,
        dispatcher=dispatcher,
    )
    return request
