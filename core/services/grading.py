"""The receiving bench: grade a line and, for restock, write the ledger in the same breath."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import Clock
from core.enums import Disposition, Grade, ResolutionKind, ReturnStatus
from core.errors import DomainError, NotFound
from core.models import Location, ReturnLine, ReturnRequest, StockMovement
from core.ports import JobDispatcher
from core.services._common import load_return, move, record


def movement_key(shop_id: int, line_id: int, grade: Grade) -> str:
    """The idempotency key of a line's restock: the same cause always gives the same key."""
    return f"restock-{shop_id}-{line_id}-{grade.value}"


def default_location(session: Session, shop_id: int) -> Location:
    """Where restocked units go unless the bench says otherwise."""
    location = session.scalars(
        select(Location)
        .where(Location.shop_id == shop_id, Location.active.is_(True))
        .order_by(Location.is_default.desc(), Location.id)
        .limit(1)
    ).one_or_none()
    if location is None:
        raise DomainError("the shop has no active location to restock into; sync locations")
    return location


def grade_line(
    session: Session,
    *,
    shop_id: int,
    return_line_id: int,
    grade: Grade,
    disposition: Disposition,
    actor: str,
    clock: Clock,
    dispatcher: JobDispatcher,
    location_id: int | None = None,
) -> ReturnLine:
    """Grade a received line; ``restock`` writes a pending StockMovement in this transaction."""
    line = session.scalars(
        select(ReturnLine).where(ReturnLine.shop_id == shop_id, ReturnLine.id == return_line_id)
    ).one_or_none()
    if line is None:
        raise NotFound(f"no return line {return_line_id} in this shop")
    request = load_return(session, shop_id, line.return_id)
    if line.grade is not None:
        raise DomainError(f"this line was already graded {line.grade.value}")
    if request.status != ReturnStatus.RECEIVED:
        raise DomainError(f"return {request.rma} is {request.status.value}; grade after receipt")
    line.grade, line.disposition, line.graded_at = grade, disposition, clock.now()
    movement = None
    if disposition == Disposition.RESTOCK and line.received_quantity > 0:
        movement = _restock(session, line, grade, location_id)
    record(
        session,
        request,
        "graded",
        actor,
        clock,
        line.id,
        grade=grade.value,
        disposition=disposition.value,
    )
    if _all_graded(request):
        move(session, request, ReturnStatus.GRADED, actor, clock)
    session.commit()
    if movement is not None:
        dispatcher.dispatch("movement", movement.id)
    return line


def _restock(
    session: Session, line: ReturnLine, grade: Grade, location_id: int | None
) -> StockMovement:
    variant_id = line.order_line.variant_id
    if variant_id is None:
        raise DomainError("this item is no longer in the store's catalogue; it cannot be restocked")
    if location_id is None:
        location_id = default_location(session, line.shop_id).id
    elif session.get(Location, location_id) is None:
        raise NotFound(f"no location {location_id}")
    line.location_id = location_id
    movement = StockMovement(
        shop_id=line.shop_id,
        variant_id=variant_id,
        location_id=location_id,
        return_line_id=line.id,
        grade=grade,
        quantity=line.received_quantity,
        reason="restock",
        idempotency_key=movement_key(line.shop_id, line.id, grade),
    )
    session.add(movement)
    return movement


def _all_graded(request: ReturnRequest) -> bool:
    return all(
        line.grade is not None or line.resolution == ResolutionKind.KEEP_ITEM
        for line in request.lines
    )
