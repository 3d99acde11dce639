"""A store connection someone started and has not finished (WooCommerce's wc-auth flow)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, Timestamped
from core.db.types import EncryptedJSON, UTCDateTime


class ConnectAttempt(Base, Timestamped):
    """One connect, bound to the user and browser session that started it; used once.

    The store echoes ``token`` back in its key callback and in the merchant's return; only
    hashes are kept, so a database reader cannot finish someone else's connect.
    """

    __tablename__ = "connect_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The browser session that started it: the return must come from the same one.
    session_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    store_url: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The keys the store posted, kept (encrypted) until the merchant is back and checked.
    keys: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON())
    keys_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
