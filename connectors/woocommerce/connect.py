"""Connecting a store: the wc-auth redirect, our signed ``user_id`` token, the key callback.

WooCommerce's flow (docs: https://woocommerce.github.io/woocommerce-rest-api-docs/#rest-api-keys,
source: includes/class-wc-auth.php): we send the merchant to
``/wc-auth/v1/authorize?app_name&scope&user_id&return_url&callback_url``; on "Approve" the
store POSTs ``{key_id, user_id, consumer_key, consumer_secret, key_permissions}`` to
``callback_url`` and deletes the keys unless we answer exactly 200. ``user_id`` is echoed
back untouched, so we make it a signed, expiring token naming the store being connected:
a callback is only believed if it carries a token we issued, recently, for that store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlparse

from core.errors import DomainError

CONNECT_TOKEN_TTL = 15 * 60  # seconds the merchant has to approve
APP_NAME = "Reshelf"


class ConnectRefused(DomainError):
    """A key callback we must not accept (forged, expired, or without write access)."""


@dataclass(frozen=True)
class ConnectedKeys:
    """What a valid callback gave us."""

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


def _sign(secret: str, payload: bytes) -> str:
    digest = hmac.new(secret.encode(), b"wc-connect:" + payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_connect_token(secret: str, store_url: str, now: datetime) -> str:
    """A token naming the store and an expiry, signed with the app's secret key."""
    body = json.dumps({"store": store_url, "exp": int(now.timestamp()) + CONNECT_TOKEN_TTL})
    payload = base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")
    return f"{payload}.{_sign(secret, payload.encode())}"


def read_connect_token(secret: str, token: str, now: datetime) -> str:
    """The store URL in a token we issued and that has not expired; else ConnectRefused."""
    payload, _, signature = token.partition(".")
    if not signature or not hmac.compare_digest(signature, _sign(secret, payload.encode())):
        raise ConnectRefused("the connect token is not one of ours")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    if int(data["exp"]) < now.timestamp():
        raise ConnectRefused("the connect token has expired; start connecting again")
    return str(data["store"])


def authorize_url(
    store_url: str, *, secret: str, return_url: str, callback_url: str, now: datetime
) -> str:
    """Where to send the merchant to approve Reshelf on their store."""
    store = normalise_store_url(store_url)
    query = urlencode(
        {
            "app_name": APP_NAME,
            "scope": "read_write",
            "user_id": make_connect_token(secret, store, now),
            "return_url": return_url,
            "callback_url": callback_url,
        }
    )
    return f"{store}/wc-auth/v1/authorize?{query}"


def accept_callback(secret: str, payload: Any, now: datetime) -> ConnectedKeys:
    """Check a key callback's body; return the keys it carries or raise ConnectRefused."""
    if not isinstance(payload, dict):
        raise ConnectRefused("the callback body is not a JSON object")
    missing = [
        k
        for k in ("key_id", "user_id", "consumer_key", "consumer_secret", "key_permissions")
        if not payload.get(k)
    ]
    if missing:
        raise ConnectRefused(f"the callback lacks {', '.join(missing)}")
    store = read_connect_token(secret, str(payload["user_id"]), now)
    if payload["key_permissions"] != "read_write":
        raise ConnectRefused(
            f"Reshelf needs read_write keys, the store granted {payload['key_permissions']!r}"
        )
    return ConnectedKeys(
        store, int(payload["key_id"]), str(payload["consumer_key"]), str(payload["consumer_secret"])
    )
