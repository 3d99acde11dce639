"""Resolving a return: what the shopper gets back, written as settlements to apply once."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import Clock
from core.enums import ResolutionKind, ResolutionState, ReturnStatus
from core.errors import DomainError
from core.models import ReturnLine, Settlement
from core.ports import JobDispatcher
from core.services._common import load_return, record

# Keeping the item is paid out as a refund; the others settle as themselves.
SETTLED_AS = {
    ResolutionKind.REFUND: ResolutionKind.REFUND,
    ResolutionKind.KEEP_ITEM: ResolutionKind.REFUND,
    ResolutionKind.STORE_CREDIT: ResolutionKind.STORE_CREDIT,
    ResolutionKind.EXCHANGE: ResolutionKind.EXCHANGE,
}


def settlement_key(shop_id: int, return_id: int, kind: ResolutionKind) -> str:
    """Idempotency key of a return's settlement of one kind."""
    return f"settle-{shop_id}-{return_id}-{kind.value}"


def _units(line: ReturnLine) -> int:
    """Units the shopper is owed for: all of them if kept, else what arrived."""
    return line.quantity if line.resolution == ResolutionKind.KEEP_ITEM else line.received_quantity


def resolve_return(
    session: Session,
    *,
    shop_id: int,
    return_id: int,
    actor: str,
    clock: Clock,
    dispatcher: JobDispatcher,
) -> list[Settlement]:
    """Write one pending settlement per kind of resolution; calling again changes nothing."""
    request = load_return(session, shop_id, return_id)
    existing = list(session.scalars(select(Settlement).where(Settlement.return_id == request.id)))
    if existing:
        return existing
    keep_only = all(line.resolution == ResolutionKind.KEEP_ITEM for line in request.lines)
    if request.status != ReturnStatus.GRADED and not (
        keep_only and request.status == ReturnStatus.APPROVED
    ):
        raise DomainError(f"return {request.rma} is {request.status.value}; resolve after grading")
    totals: dict[ResolutionKind, list[Decimal]] = {}
    for line in request.lines:
        units = _units(line)
        if units == 0:
            continue
        kind = SETTLED_AS[line.resolution]
        amount, fee, bonus = totals.setdefault(kind, [Decimal(0)] * 3)
        share = Decimal(units) / Decimal(line.quantity)
        totals[kind] = [
            amount + line.unit_amount * units,
            fee + (line.fee_amount * share).quantize(Decimal("0.01")),
            bonus + (line.bonus_amount * share).quantize(Decimal("0.01")),
        ]
        line.resolution_state = ResolutionState.PROCESSING
    settlements = [
        Settlement(
            shop_id=shop_id,
            return_id=request.id,
            kind=kind,
            amount=max(Decimal(0), amount - fee + bonus),
            fee=fee,
            bonus=bonus,
            currency=request.currency,
            idempotency_key=settlement_key(shop_id, request.id, kind),
        )
        for kind, (amount, fee, bonus) in totals.items()
    ]
    session.add_all(settlements)
    record(
        session,
        request,
        "resolved",
        actor,
        clock,
        settlements={s.kind.value: str(s.amount) for s in settlements},
    )
    session.commit()
    for settlement in settlements:
        dispatcher.dispatch("settlement", settlement.id)
    return settlements
