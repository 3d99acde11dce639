"""The ledger: what Reshelf must do to the store, written before it is done.

A row is written in the same transaction as the decision that causes it; the worker
applies pending rows and records the store's answer. The unique keys make a second row
for the same cause impossible, and the idempotency key travels with the store call so
a retried call has no second effect.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Timestamped
from core.db.types import JSONType, Money, UTCDateTime
from core.enums import Grade, LedgerState, ResolutionKind
from core.models._columns import NEVER_REUSE_IDS, enum_type, shop_fk
from core.models.catalog import Location, Variant
from core.models.returns import ReturnLine, ReturnRequest


class StockMovement(Base, Timestamped):
    """Units to put back on the store at a location, applied exactly once."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        UniqueConstraint("return_line_id", "grade"),
        Index("ix_stock_movements_state", "state", "created_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    return_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("return_lines.id", ondelete="CASCADE")
    )
    grade: Mapped[Grade | None] = mapped_column(enum_type(Grade))
    quantity: Mapped[int]
    reason: Mapped[str] = mapped_column(String(64), default="restock")
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    state: Mapped[LedgerState] = mapped_column(enum_type(LedgerState), default=LedgerState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # What the store said when it applied the movement (ids, quantity after).
    store_answer: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    quantity_after: Mapped[int | None]
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    variant: Mapped[Variant] = relationship()
    location: Mapped[Location] = relationship()
    return_line: Mapped[ReturnLine | None] = relationship()


class Settlement(Base, Timestamped):
    """The money side of a return (refund, store credit, exchange), applied once."""

    __tablename__ = "settlements"
    __table_args__ = (
        UniqueConstraint("return_id", "kind"),
        Index("ix_settlements_state", "state", "created_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    return_id: Mapped[int] = mapped_column(
        ForeignKey("return_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ResolutionKind] = mapped_column(enum_type(ResolutionKind))
    amount: Mapped[Decimal] = mapped_column(Money())
    fee: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    bonus: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3))
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    state: Mapped[LedgerState] = mapped_column(enum_type(LedgerState), default=LedgerState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    store_reference: Mapped[str | None] = mapped_column(String(128))
    store_answer: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    request: Mapped[ReturnRequest] = relationship()
