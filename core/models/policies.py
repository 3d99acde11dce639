"""Return policies: named, versioned, each version an ordered list of rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.db import Base, Timestamped
from core.db.types import JSONType, UTCDateTime
from core.enums import PolicyVersionStatus
from core.models._columns import enum_type, shop_fk


class Policy(Base, Timestamped):
    """A shop's return policy; what is in force is its published version."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("shop_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    name: Mapped[str] = mapped_column(String(255))
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_versions.id", use_alter=True, ondelete="SET NULL")
    )

    versions: Mapped[list[PolicyVersion]] = relationship(
        back_populates="policy",
        foreign_keys="PolicyVersion.policy_id",
        order_by="PolicyVersion.version",
    )
    published_version: Mapped[PolicyVersion | None] = relationship(
        foreign_keys=[published_version_id], post_update=True
    )


class PolicyVersion(Base, Timestamped):
    """One version of a policy: a draft while edited, immutable once published."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("policy_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"))
    version: Mapped[int]
    status: Mapped[PolicyVersionStatus] = mapped_column(
        enum_type(PolicyVersionStatus), default=PolicyVersionStatus.DRAFT
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(String(128))

    policy: Mapped[Policy] = relationship(back_populates="versions", foreign_keys=[policy_id])
    rules: Mapped[list[Rule]] = relationship(
        back_populates="policy_version", order_by="Rule.position", cascade="all, delete-orphan"
    )


class Rule(Base):
    """A rule as data: conditions (``when``) and an outcome (``then``), in JSON."""

    __tablename__ = "policy_rules"
    __table_args__ = (UniqueConstraint("policy_version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = shop_fk()
    policy_version_id: Mapped[int] = mapped_column(
        ForeignKey("policy_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(255))
    conditions: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    outcome: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    policy_version: Mapped[PolicyVersion] = relationship(back_populates="rules")


class PublishedPolicyError(Exception):
    """A published policy version was about to be changed; make a new version instead."""


def _published_before_flush(version: PolicyVersion) -> bool:
    """True if ``version`` was already out of draft when this flush began."""
    state = inspect(version)
    if state.pending or state.transient:
        return False
    history = state.attrs.status.history
    before = history.deleted[0] if history.deleted else version.status
    return bool(before != PolicyVersionStatus.DRAFT)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published(session: Session, _ctx: Any, _instances: Any) -> None:
    changed = [o for o in session.dirty if session.is_modified(o)] + list(session.deleted)
    for obj in changed + list(session.new):
        if isinstance(obj, Rule) and obj.policy_version is not None:
            if _published_before_flush(obj.policy_version):
                raise PublishedPolicyError("the rules of a published policy version are fixed")
        elif isinstance(obj, PolicyVersion) and _published_before_flush(obj):
            keys = {a.key for a in inspect(obj).attrs if a.history.has_changes()}
            # Retiring a published version is the one change allowed.
            if obj in session.deleted or not keys <= {"status", "updated_at"}:
                raise PublishedPolicyError(
                    f"policy version {obj.version} is published and cannot change"
                )
