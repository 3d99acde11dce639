"""The plugin's signed "Return an item" links, checked on Reshelf's side.

The plugin (manifests/woocommerce/reshelf-returns/includes/class-reshelf-returns-link.php)
signs ``order_id|email|expires`` with HMAC-SHA256 under the secret shared with Reshelf
(the shop's ``portal_link_secret``), hex-encoded.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from urllib.parse import urlencode

from core.errors import DomainError


class BadLink(DomainError):
    """The link was not signed with the shop's secret, or has expired."""


def signature(secret: str, order_id: str, email: str, expires: int) -> str:
    """What the plugin computes for these values."""
    message = f"{order_id}|{email.strip().lower()}|{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def make_link(base: str, secret: str, order_id: str, email: str, expires: int) -> str:
    """A link as the plugin builds it (the demo and tests use this)."""
    query = urlencode(
        {
            "order": order_id,
            "email": email.strip().lower(),
            "expires": expires,
            "signature": signature(secret, order_id, email, expires),
        }
    )
    return f"{base.rstrip('/')}/from-store?{query}"


def verify(secret: str, args: dict[str, str], now: datetime) -> tuple[str, str]:
    """The (order id, email) a valid, unexpired link names; BadLink otherwise."""
    try:
        order_id, email, expires = args["order"], args["email"], int(args["expires"])
    except (KeyError, ValueError):
        raise BadLink("this return link is incomplete") from None
    expected = signature(secret, order_id, email, expires)
    if not secret or not hmac.compare_digest(expected, args.get("signature", "")):
        raise BadLink("this return link was not issued by the store")
    if expires < now.timestamp():
        raise BadLink("this return link has expired; open it again from your account")
    return order_id, email.strip().lower()
