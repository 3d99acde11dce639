"""Helpers the services share: loading and locking rows, moving status, writing the trail."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import Clock
from core.enums import ReturnStatus
from core.errors import NotFound
from core.lifecycle import STATUS_TIMESTAMP, check_transition
from core.models import (
    InboxDelivery,
    ReturnEvent,
    ReturnRequest,
    Settlement,
    StockMovement,
)

# The rows the worker's services lock by id alone: the job that names them was enqueued
# for that very row, so its shop needs no second check.
_Row = TypeVar("_Row", StockMovement, Settlement, InboxDelivery, ReturnRequest)


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


def locked(session: Session, model: type[_Row], object_id: int) -> _Row:
    """The row with this id, locked for this transaction, or ``NotFound``."""
    row = session.scalars(
        select(model).where(model.id == object_id).with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound(f"no {model.__name__} {object_id}")
    return row


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
