"""Connected stores and the people who run them."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, Timestamped
from core.db.types import EncryptedJSON, JSONType, UTCDateTime
from core.enums import Role, ShopStatus
from core.models._columns import enum_type, shop_fk


def new_shop_key() -> str:
    """A public, unguessable handle for a shop (webhook URLs, signed links)."""
    return secrets.token_urlsafe(12)


class Shop(Base, Timestamped):
    """A connected store; every merchant-owned row points here."""

    __tablename__ = "shops"
    __table_args__ = (UniqueConstraint("platform", "domain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A registered platform's name (``connectors.CONNECTORS``; ``Platform`` names the built-in
    # ones): an open vocabulary, so a platform is added in its own folder, not in the schema.
    platform: Mapped[str] = mapped_column(String(32))
    domain: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_shop_key)
    status: Mapped[ShopStatus] = mapped_column(enum_type(ShopStatus), default=ShopStatus.ACTIVE)
    # Shown in the admin when the store refused us (fatal error); cleared when fixed.
    status_message: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    plan: Mapped[str | None] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(Text, default="")
    # Tokens, API secrets, consumer keys, webhook secrets: encrypted at rest.
    credentials: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON())
    # Kept in the clear so the refresh job can find what expires soon without decrypting.
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def credential(self, name: str) -> str | None:
        """One secret from the encrypted credentials, or None."""
        value = (self.credentials or {}).get(name)
        return None if value is None else str(value)

    def set_credentials(self, **values: Any) -> None:
        """Merge secrets into the encrypted credentials (None removes one)."""
        merged = dict(self.credentials or {})
        for name, value in values.items():
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value
        self.credentials = merged


class User(Base, Timestamped):
    """Someone who signs in to the admin; their roles are per shop."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    totp_secret: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON())
    # Set for users who come through Shopify's embedded admin (id token `sub`).
    platform_user_id: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    # Kept in each signed-in session; bumped by logout, a new password and deactivation,
    # which ends every session made before (the session cookie itself cannot be revoked).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The admin ``reshelf demo`` makes: refused sign-in by any other app.
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=false())

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")


class Membership(Base, Timestamped):
    """A user's role in one shop."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "shop_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    shop_id: Mapped[int] = shop_fk()
    role: Mapped[Role] = mapped_column(enum_type(Role))

    user: Mapped[User] = relationship(back_populates="memberships")
    shop: Mapped[Shop] = relationship()
