"""Helpers the services share: loading scoped rows, moving status, writing the trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import Clock
from core.enums import ReturnStatus
from core.errors import NotFound
from core.lifecycle import STATUS_TIMESTAMP, check_transition
from core.models import ReturnEvent, ReturnRequest


def load_return(session: Session, shop_id: int, return_id: int) -> ReturnRequest:
    """The return, locked for this transaction, or ``NotFound`` if not this shop's."""
    request = session.scalars(
        select(ReturnRequest)
        .where(ReturnRequest.shop_id == shop_id, ReturnRequest.id == return_id)
        .with_for_update()
    ).one_or_none()
    if request is None:
        raise NotFound(f"no return {return_id} in this shop")
    return request


def record(
    session: Session,
    request: ReturnRequest,
    kind: str,
    actor: str,
    clock: Clock,
    line_id: int | None = None,
    **data: Any,
) -> None:
    """Append an event to the return's audit trail."""
    session.add(
        ReturnEvent(
            shop_id=request.shop_id,
            request=request,
            return_line_id=line_id,
            kind=kind,
            actor=actor,
            data=data,
            created_at=clock.now(),
        )
    )


def move(
    session: Session,
    request: ReturnRequest,
    to: ReturnStatus,
    actor: str,
    clock: Clock,
    **data: Any,
) -> None:
    """Change the status if the lifecycle allows it, stamp the time, write the event."""
    check_transition(request.status, to)
    before = request.status
    request.status = to
    if to in STATUS_TIMESTAMP:
        setattr(request, STATUS_TIMESTAMP[to], clock.now())
    session.add(
        ReturnEvent(
            shop_id=request.shop_id,
            request=request,
            kind="status",
            from_status=before.value,
            to_status=to.value,
            actor=actor,
            data=data,
            created_at=clock.now(),
        )
    )
