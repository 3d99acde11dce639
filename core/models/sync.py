"""Keeping the mirror in step with the store: webhook inbox, sync cursors, runs, drift."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, Timestamped
from core.db.types import JSONType, UTCDateTime
from core.enums import InboxStatus
from core.models._columns import NEVER_REUSE_IDS, enum_type, shop_fk


class InboxDelivery(Base):
    """A verified webhook delivery, stored before it is acknowledged."""

    __tablename__ = "inbox_deliveries"
    __table_args__ = (
        # Shopify: the webhook id; WooCommerce: topic + resource id + date_modified_gmt.
        UniqueConstraint("shop_id", "dedupe_key"),
        Index("ix_inbox_deliveries_status", "status", "received_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk(index=False)  # the unique key starts with it
    platform: Mapped[str] = mapped_column(String(32))  # the shop's (see ``Shop.platform``)
    topic: Mapped[str] = mapped_column(String(128))
    dedupe_key: Mapped[str] = mapped_column(String(255))
    webhook_id: Mapped[str | None] = mapped_column(String(128))
    event_id: Mapped[str | None] = mapped_column(String(128))
    triggered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    api_version: Mapped[str | None] = mapped_column(String(32))
    resource_id: Mapped[str | None] = mapped_column(String(128))
    headers: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    # Pruned (set to None) after the shop's retention; the row stays as the record.
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[InboxStatus] = mapped_column(
        enum_type(InboxStatus), default=InboxStatus.RECEIVED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    body_pruned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SyncCursor(Base, Timestamped):
    """How far incremental sync of one resource of one shop has safely got."""

    __tablename__ = "sync_cursors"
    __table_args__ = (UniqueConstraint("shop_id", "resource"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    resource: Mapped[str] = mapped_column(String(64))
    # Never later than the start of the sync that set it, so nothing updated during it is lost.
    high_water: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Where an interrupted backfill resumes (a GraphQL cursor, a page number).
    page_cursor: Mapped[str | None] = mapped_column(Text)


class SyncRun(Base):
    """One backfill, reconciliation or bulk operation, for the sync log."""

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_shop_started", "shop_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    kind: Mapped[str] = mapped_column(String(32))
    resource: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), default="running")
    platform_ref: Mapped[str | None] = mapped_column(String(255))
    counts: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DriftReport(Base):
    """The store's stock differed from what the ledger expects."""

    __tablename__ = "drift_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    expected: Mapped[int]
    actual: Mapped[int]
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboundEmail(Base):
    """An email to send (confirmations, reminders), kept as the durable record of it."""

    __tablename__ = "outbound_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    return_id: Mapped[int | None] = mapped_column(
        ForeignKey("return_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(64))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
