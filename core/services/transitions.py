"""The desk's and the warehouse's steps that only move a return along."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.clock import Clock
from core.enums import LedgerState, ResolutionKind, ReturnStatus
from core.errors import DomainError
from core.models import ReturnRequest, Settlement
from core.ports import JobDispatcher
from core.services._common import load_return, move


def _finish(session: Session, request: ReturnRequest, dispatcher: JobDispatcher) -> ReturnRequest:
    session.commit()
    dispatcher.dispatch("return_sync", request.id)
    return request


def approve_return(
    session: Session,
    *,
    shop_id: int,
    return_id: int,
    actor: str,
    clock: Clock,
    dispatcher: JobDispatcher,
    note: str | None = None,
) -> ReturnRequest:
    """Approve a return waiting for review (or one the policy held back)."""
    request = load_return(session, shop_id, return_id)
    move(session, request, ReturnStatus.APPROVED, actor, clock, note=note)
    return _finish(session, request, dispatcher)


def reject_return(
    session: Session,
    *,
    shop_id: int,
    return_id: int,
    actor: str,
    clock: Clock,
    dispatcher: JobDispatcher,
    reason: str,
) -> ReturnRequest:
    """Turn a return down, with the sentence the shopper will read."""
    request = load_return(session, shop_id, return_id)
    move(session, request, ReturnStatus.REJECTED, actor, clock, reason=reason)
    return _finish(session, request, dispatcher)


def mark_in_transit(
    session: Session,
    *,
    shop_id: int,
    return_id: int,
    actor: str,
    clock: Clock,
    dispatcher: JobDispatcher,
    carrier: str | None = None,
    tracking_number: str | None = None,
) -> ReturnRequest:
    """The parcel is on its way back."""
    request = load_return(session, shop_id, return_id)
    move(session, request, ReturnStatus.IN_TRANSIT, actor, clock, carrier=carrier)
    request.carrier, request.tracking_number = carrier, tracking_number
    return _finish(session, request, dispatcher)


def receive_return(
    session: Session,
    *,
    shop_id: int,
    return_id: int,
    received: dict[int, int],
    actor: str,
    clock: Clock,
    dispatcher: JobDispatcher,
) -> ReturnRequest:
    """Record what arrived: units per return line id (a line not named arrived empty)."""
    request = load_return(session, shop_id, return_id)
    lines = {line.id: line for line in request.lines}
    unknown = set(received) - set(lines)
    if unknown:
        raise DomainError(f"lines {sorted(unknown)} are not part of return {request.rma}")
    for line_id, quantity in received.items():
        if not 0 <= quantity <= lines[line_id].quantity:
            raise DomainError(
                f"received {quantity} of a line that was to bring {lines[line_id].quantity}"
            )
    move(session, request, ReturnStatus.RECEIVED, actor, clock, received=received)
    for line_id, quantity in received.items():
        lines[line_id].received_quantity = quantity
    return _finish(session, request, dispatcher)


def cancel_return(
    session: Session,
    *,
    shop_id: int,
    return_id: int,
    actor: str,
    clock: Clock,
    dispatcher: JobDispatcher,
    reason: str | None = None,
) -> ReturnRequest:
    """Withdraw a return that has not arrived yet."""
    request = load_return(session, shop_id, return_id)
    move(session, request, ReturnStatus.CANCELLED, actor, clock, reason=reason)
    return _finish(session, request, dispatcher)


def close_return(
    session: Session,
    *,
    shop_id: int,
    return_id: int,
    actor: str,
    clock: Clock,
    dispatcher: JobDispatcher,
) -> ReturnRequest:
    """Close a return whose money side is settled on the store."""
    request = load_return(session, shop_id, return_id)
    settlements = session.query(Settlement).filter(Settlement.return_id == request.id).all()
    unsettled = [s.kind.value for s in settlements if s.state != LedgerState.APPLIED]
    if unsettled:
        raise DomainError(f"return {request.rma} still has {', '.join(unsettled)} to settle")
    if request.status == ReturnStatus.APPROVED and any(
        line.resolution != ResolutionKind.KEEP_ITEM for line in request.lines
    ):
        raise DomainError(f"return {request.rma} has items still to come back")
    move(session, request, ReturnStatus.CLOSED, actor, clock)
    return _finish(session, request, dispatcher)
