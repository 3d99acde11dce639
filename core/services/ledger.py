"""Applying the ledger to the store: the worker's side of exactly-once.

A stock movement or a settlement is applied once, and a return's status is pushed as it
stands (a stored webhook is processed by ``core.services.deliveries``). Each ledger
function locks its row, skips it if already done, calls the connector (which carries the
row's idempotency key to the store), and records the answer in the same transaction that
marks the row done. A crash anywhere leaves the row pending, and the next attempt
sends the same key, so the store never applies it twice.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import Clock
from core.enums import LedgerState, ResolutionState
from core.errors import FatalStoreError, RetriableStoreError, StoreAuthError
from core.models import (
    InventoryLevel,
    ReturnLine,
    ReturnRequest,
    Settlement,
    StockMovement,
)
from core.ports import StoreAnswer, StoreConnector
from core.services._common import locked, record
from core.services.resolution import SETTLED_AS


def _apply_once(
    session: Session,
    row: StockMovement | Settlement,
    call: Callable[[], StoreAnswer],
    flag: Callable[[str], None],
    clock: Clock,
) -> StoreAnswer | None:
    """Call the store for a pending ledger row; None if it was already applied.

    A retriable failure leaves the row pending (the job retries with the same key), and so
    does a refused key: nothing is wrong with the row, it waits for the merchant to
    reconnect. Any other fatal one marks it failed and flags it for a person. Either way
    the attempt is kept.
    """
    if row.state == LedgerState.APPLIED:
        return None
    row.attempts += 1
    try:
        answer = call()
    except (RetriableStoreError, StoreAuthError) as exc:
        row.last_error = str(exc)
        session.commit()
        raise
    except FatalStoreError as exc:
        row.state, row.last_error = LedgerState.FAILED, str(exc)
        flag(str(exc))
        session.commit()
        raise
    row.state, row.applied_at, row.last_error = LedgerState.APPLIED, clock.now(), None
    row.store_answer = answer.raw
    return answer


def apply_movement(
    session: Session, movement_id: int, connector: StoreConnector, clock: Clock
) -> StockMovement:
    """Put a movement's units back on the store, once; raise StoreError to retry or park."""
    movement = locked(session, StockMovement, movement_id)
    answer = _apply_once(
        session,
        movement,
        lambda: connector.apply_movement(session, movement),
        lambda error: _flag(movement.return_line, f"restock failed: {error}"),
        clock,
    )
    if answer is None:
        return movement
    movement.quantity_after = answer.quantity_after
    if answer.quantity_after is not None:
        _mirror_level(session, movement, answer.quantity_after)
    if movement.return_line is not None:
        record(
            session,
            movement.return_line.request,
            "restocked",
            "worker",
            clock,
            movement.return_line.id,
            quantity=movement.quantity,
        )
    session.commit()
    return movement


def apply_settlement(
    session: Session, settlement_id: int, connector: StoreConnector, clock: Clock
) -> Settlement:
    """Refund, credit or exchange on the store, once."""
    settlement = locked(session, Settlement, settlement_id)
    request = settlement.request
    answer = _apply_once(
        session,
        settlement,
        lambda: connector.apply_settlement(session, settlement),
        lambda error: setattr(request, "attention", f"{settlement.kind.value} failed: {error}"),
        clock,
    )
    if answer is None:
        return settlement
    settlement.store_reference = answer.reference
    for line in request.lines:
        if SETTLED_AS[line.resolution] == settlement.kind:
            line.resolution_state = ResolutionState.DONE
    record(
        session,
        request,
        "settled",
        "worker",
        clock,
        resolution=settlement.kind.value,
        amount=str(settlement.amount),
        reference=answer.reference,
    )
    session.commit()
    return settlement


def push_return(
    session: Session, return_id: int, connector: StoreConnector, clock: Clock
) -> ReturnRequest:
    """Make the store reflect a return's current status."""
    request = locked(session, ReturnRequest, return_id)
    connector.push_return(session, request)
    session.commit()
    return request


def _mirror_level(session: Session, movement: StockMovement, available: int) -> None:
    level = session.scalars(
        select(InventoryLevel).where(
            InventoryLevel.variant_id == movement.variant_id,
            InventoryLevel.location_id == movement.location_id,
        )
    ).one_or_none()
    if level is None:
        level = InventoryLevel(
            shop_id=movement.shop_id,
            variant_id=movement.variant_id,
            location_id=movement.location_id,
        )
        session.add(level)
    level.available = available


def _flag(line: ReturnLine | None, message: str) -> None:
    if line is not None:
        line.request.attention = message
