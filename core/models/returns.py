"""Return requests (RMAs), their lines, photos, reasons and audit trail."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Timestamped
from core.db.types import JSONType, Money, UTCDateTime
from core.enums import (
    Channel,
    Disposition,
    Grade,
    ResolutionKind,
    ResolutionState,
    ReturnStatus,
)
from core.models._columns import NEVER_REUSE_IDS, enum_type, shop_fk
from core.models.orders import Customer, Order, OrderLine


class ReturnReason(Base, Timestamped):
    """A merchant-defined reason a shopper can pick, with translations."""

    __tablename__ = "return_reasons"
    __table_args__ = (UniqueConstraint("shop_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(255))
    translations: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    requires_photo: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    # The store's own reason this maps to (Shopify return reason definition handle).
    platform_reason: Mapped[str | None] = mapped_column(String(128))


class ReturnRequest(Base, Timestamped):
    """An RMA: what a shopper wants to send back from one order, and where it stands."""

    __tablename__ = "return_requests"
    __table_args__ = (
        UniqueConstraint("shop_id", "rma"),
        UniqueConstraint("shop_id", "platform_return_id"),
        # The desk lists one shop's returns newest first, by status or all together.
        Index("ix_return_requests_desk", "shop_id", "status", "created_at", "id"),
        Index("ix_return_requests_shop_created", "shop_id", "created_at", "id"),
        # Analytics count a shop's returns by the day they were requested.
        Index("ix_return_requests_shop_requested", "shop_id", "requested_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    rma: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ReturnStatus] = mapped_column(enum_type(ReturnStatus))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    policy_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_versions.id", ondelete="RESTRICT"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(320))
    country: Mapped[str | None] = mapped_column(String(2))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    currency: Mapped[str] = mapped_column(String(3))
    refund_subtotal: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    fee_total: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    bonus_total: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    refund_total: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    free_shipping: Mapped[bool] = mapped_column(default=False)
    ship_by: Mapped[date | None] = mapped_column(Date)
    carrier: Mapped[str | None] = mapped_column(String(64))
    tracking_number: Mapped[str | None] = mapped_column(String(128))
    customer_note: Mapped[str | None] = mapped_column(Text)
    # Why the policy decided as it did, as the shopper and the desk will read it.
    decision: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # 0–100 when requested (core/services/risk.py), with one sentence per factor that held:
    # [{"factor": ..., "points": n, "sentence": ...}]. None for returns made before scoring.
    risk_score: Mapped[int | None]
    risk_reasons: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONType, default=list, server_default=text("'[]'")
    )
    # Set when something needs a human (a fatal store error); shown on the desk.
    attention: Mapped[str | None] = mapped_column(Text)
    platform_return_id: Mapped[str | None] = mapped_column(String(128))
    platform_data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    in_transit_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    order: Mapped[Order] = relationship()
    customer: Mapped[Customer | None] = relationship()
    lines: Mapped[list[ReturnLine]] = relationship(
        back_populates="request", order_by="ReturnLine.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[ReturnEvent]] = relationship(
        back_populates="request", order_by="ReturnEvent.id", cascade="all, delete-orphan"
    )


class ReturnLine(Base, Timestamped):
    """Units of one order line coming back, and what became of them."""

    __tablename__ = "return_lines"
    __table_args__ = (UniqueConstraint("return_id", "order_line_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    return_id: Mapped[int] = mapped_column(
        ForeignKey("return_requests.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int]
    reason_id: Mapped[int | None] = mapped_column(
        ForeignKey("return_reasons.id", ondelete="SET NULL")
    )
    reason_code: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    received_quantity: Mapped[int] = mapped_column(default=0)
    grade: Mapped[Grade | None] = mapped_column(enum_type(Grade))
    disposition: Mapped[Disposition | None] = mapped_column(enum_type(Disposition))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"))
    resolution: Mapped[ResolutionKind] = mapped_column(enum_type(ResolutionKind))
    resolution_state: Mapped[ResolutionState] = mapped_column(
        enum_type(ResolutionState), default=ResolutionState.PENDING
    )
    exchange_variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("variants.id", ondelete="SET NULL")
    )
    unit_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    fee_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    bonus_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3))
    platform_line_id: Mapped[str | None] = mapped_column(String(128))
    platform_data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    request: Mapped[ReturnRequest] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()
    photos: Mapped[list[ReturnPhoto]] = relationship(cascade="all, delete-orphan")


class ReturnPhoto(Base, Timestamped):
    """A picture the shopper attached to a line; the bytes live in the blob store."""

    __tablename__ = "return_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    return_line_id: Mapped[int] = mapped_column(
        ForeignKey("return_lines.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(512))
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(default=0)


class ReturnEvent(Base):
    """One entry of a return's audit trail: who did what, when."""

    __tablename__ = "return_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    return_id: Mapped[int] = mapped_column(
        ForeignKey("return_requests.id", ondelete="CASCADE"), index=True
    )
    return_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("return_lines.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    request: Mapped[ReturnRequest] = relationship(back_populates="events")
