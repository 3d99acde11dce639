"""Connecting a store through wc-auth: who may, the one-use connect token, the key callback.

WooCommerce's flow (docs: https://woocommerce.github.io/woocommerce-rest-api-docs/#rest-api-keys,
source: includes/class-wc-auth.php): we send the merchant to
``/wc-auth/v1/authorize?app_name&scope&user_id&return_url&callback_url``; on "Approve" the
store POSTs ``{key_id, user_id, consumer_key, consumer_secret, key_permissions}`` to
``callback_url`` and deletes the keys unless we answer exactly 200, then sends the merchant
to ``return_url?success=1&user_id=``. ``user_id`` is echoed back untouched, so it carries a
random token naming a ``ConnectAttempt`` row: the attempt is bound to the user and the browser
session that started it, takes one callback (whose keys it keeps) and one return, and only
that return (same user, same session, still allowed to connect the store) hands the keys
over. Nobody else's callback or return can touch a shop.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlparse

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.enums import Platform, Role
from core.errors import DomainError
from core.models import ConnectAttempt, Membership, Shop

CONNECT_TOKEN_TTL = 15 * 60  # seconds the merchant has to approve
APP_NAME = "Reshelf"


class ConnectRefused(DomainError):
    """A connect we must not go on with (forged, replayed, expired, someone else's, read-only)."""


@dataclass(frozen=True)
class ConnectedKeys:
    """What a finished connect gave us."""

    store_url: str
    key_id: int
    consumer_key: str
    consumer_secret: str


def normalise_store_url(url: str) -> str:
    """``https://shop.example/`` → ``https://shop.example`` (scheme kept; no path slash)."""
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise DomainError(f"{url!r} is not a store URL (https://your-store.example)")
    return f"{parsed.scheme}://{parsed.netloc}{parsed.path.rstrip('/')}"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def check_may_connect(session: Session, user_id: int, store_url: str) -> None:
    """ConnectRefused unless the user owns this store's shop, or may add a new shop.

    A store already connected is the business of its owners only; a new store may be added
    by an owner of some shop or by someone with no role anywhere yet (their first store).
    Agents and warehouse staff work in their shop; they add and replace no store's keys.
    """
    domain = normalise_store_url(store_url)
    shop = session.scalars(
        select(Shop).where(Shop.platform == Platform.WOOCOMMERCE, Shop.domain == domain)
    ).one_or_none()
    memberships = select(Membership).where(Membership.user_id == user_id)
    roles = {m.shop_id: m.role for m in session.scalars(memberships)}
    if shop is not None and roles.get(shop.id) != Role.OWNER:
        raise ConnectRefused(
            f"{domain} is already connected to Reshelf; only its owner can connect it again"
        )
    if shop is None and roles and Role.OWNER not in roles.values():
        raise ConnectRefused("only a shop owner can connect a new store")


def start(
    session: Session, *, user_id: int, session_secret: str, store_url: str, now: datetime
) -> str:
    """Record a connect for this user and browser session; the token for ``user_id``."""
    store = normalise_store_url(store_url)
    check_may_connect(session, user_id, store)
    # Expired attempts are of no use to anyone; drop them (and any keys they kept).
    session.execute(delete(ConnectAttempt).where(ConnectAttempt.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(
        ConnectAttempt(
            token_hash=_digest(token),
            session_hash=_digest(session_secret),
            user_id=user_id,
            store_url=store,
            expires_at=now + timedelta(seconds=CONNECT_TOKEN_TTL),
        )
    )
    session.commit()
    return token


def authorize_url(store_url: str, *, token: str, return_url: str, callback_url: str) -> str:
    """Where to send the merchant to approve Reshelf on their store."""
    query = urlencode(
        {
            "app_name": APP_NAME,
            "scope": "read_write",
            "user_id": token,
            "return_url": return_url,
            "callback_url": callback_url,
        }
    )
    return f"{normalise_store_url(store_url)}/wc-auth/v1/authorize?{query}"


def _live_attempt(session: Session, token: str, now: datetime) -> ConnectAttempt:
    """The unused, unexpired attempt this token names; else ConnectRefused."""
    attempt = session.scalars(
        select(ConnectAttempt).where(ConnectAttempt.token_hash == _digest(token))
    ).one_or_none()
    if attempt is None:
        raise ConnectRefused("the connect token is not one of ours")
    if attempt.used_at is not None:
        raise ConnectRefused("this connect was already finished; start connecting again")
    if attempt.expires_at < now:
        raise ConnectRefused("the connect token has expired; start connecting again")
    return attempt


def accept_callback(session: Session, payload: Any, now: datetime) -> None:
    """Keep the keys a valid callback carries on its attempt, once; else ConnectRefused."""
    if not isinstance(payload, dict):
        raise ConnectRefused("the callback body is not a JSON object")
    missing = [
        k
        for k in ("key_id", "user_id", "consumer_key", "consumer_secret", "key_permissions")
        if not payload.get(k)
    ]
    if missing:
        raise ConnectRefused(f"the callback lacks {', '.join(missing)}")
    if payload["key_permissions"] != "read_write":
        raise ConnectRefused(
            f"Reshelf needs read_write keys, the store granted {payload['key_permissions']!r}"
        )
    try:
        key_id = int(payload["key_id"])
    except (TypeError, ValueError) as exc:
        raise ConnectRefused("the callback's key_id is not a number") from exc
    attempt = _live_attempt(session, str(payload["user_id"]), now)
    keys = {
        "key_id": key_id,
        "consumer_key": str(payload["consumer_key"]),
        "consumer_secret": str(payload["consumer_secret"]),
    }
    # One callback per attempt, even when two race: the second finds the row taken.
    taken = session.execute(
        update(ConnectAttempt)
        .where(ConnectAttempt.id == attempt.id, ConnectAttempt.keys_received_at.is_(None))
        .values(keys=keys, keys_received_at=now)
    )
    session.commit()
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise ConnectRefused("this connect already received its keys")


def finish(
    session: Session, *, token: str, user_id: int, session_secret: str, now: datetime
) -> ConnectedKeys:
    """The keys of this user's own attempt from this session, used up; else ConnectRefused."""
    attempt = _live_attempt(session, token, now)
    if attempt.user_id != user_id or not hmac.compare_digest(
        attempt.session_hash, _digest(session_secret)
    ):
        raise ConnectRefused("this connect was started by someone else or in another browser")
    check_may_connect(session, user_id, attempt.store_url)  # roles may have changed since
    if attempt.keys is None:
        raise ConnectRefused("the store's keys never reached Reshelf; connect again")
    keys = ConnectedKeys(
        attempt.store_url,
        int(attempt.keys["key_id"]),
        str(attempt.keys["consumer_key"]),
        str(attempt.keys["consumer_secret"]),
    )
    used = session.execute(
        update(ConnectAttempt)
        .where(ConnectAttempt.id == attempt.id, ConnectAttempt.used_at.is_(None))
        .values(used_at=now, keys=None)
    )
    session.commit()
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise ConnectRefused("this connect was already finished; start connecting again")
    return keys
