"""``POST /admin/oauth/access_token``: token exchange and refresh, and access-token checks.

- Token exchange of an App Bridge id token (an HS256 JWT signed with the client secret, with
  ``aud`` = client id and ``dest`` = the shop) for an offline access token:
  https://shopify.dev/docs/apps/build/authentication-authorization/get-access-tokens/exchange-tokens
- ``expiring=1`` gives an expiring offline token: one hour (``expires_in`` 3600) plus a refresh
  token, replaced on every refresh; a refresh retires the old access token
  (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens).
  Shopify keeps the previous refresh token usable until the new access token is first used
  (https://shopify.dev/changelog/more-resilient-refreshes-for-expiring-offline-access-tokens);
  the emulator is more lenient and keeps it usable until it expires.
- A request with a missing, unknown or expired token answers 401:
  https://shopify.dev/docs/api/admin-graphql#status-and-error-codes
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import jwt

from sandbox.shopify.state import AccessToken, Shop, utcnow

ACCESS_TOKEN_SECONDS = 3600
REFRESH_TOKEN_SECONDS = 90 * 24 * 3600
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"


class TokenError(Exception):
    """An OAuth error answer: ``{"error": code}`` with an HTTP status."""

    def __init__(self, code: str, status: int = 400) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


def issue(shop: Shop, scope: str, ttl: int | None) -> AccessToken:
    """Issue an access token; with ``ttl`` it expires and comes with a refresh token."""
    now = utcnow()
    token = AccessToken(
        token="shpat_" + secrets.token_hex(16),
        expires_at=now + timedelta(seconds=ttl) if ttl is not None else None,
        scope=scope,
        refresh_token="shprt_" + secrets.token_hex(16) if ttl is not None else None,
        refresh_expires_at=now + timedelta(seconds=REFRESH_TOKEN_SECONDS) if ttl else None,
    )
    shop.tokens[token.token] = token
    return token


def grant_body(token: AccessToken) -> dict[str, Any]:
    """The JSON the token endpoint answers with."""
    body: dict[str, Any] = {"access_token": token.token, "scope": token.scope}
    if token.expires_at is not None:
        body["expires_in"] = int((token.expires_at - utcnow()).total_seconds())
        body["refresh_token"] = token.refresh_token
        body["refresh_token_expires_in"] = REFRESH_TOKEN_SECONDS
    return body


def exchange(
    shop: Shop, body: dict[str, Any], client_id: str, secret: str, scope: str, ttl: int
) -> AccessToken:
    """Handle one token-endpoint request (token exchange or refresh) for ``shop``."""
    if body.get("client_id") != client_id or body.get("client_secret") != secret:
        raise TokenError("invalid_client", 401)
    if body.get("grant_type") == TOKEN_EXCHANGE:
        try:
            claims = jwt.decode(
                body.get("subject_token", ""), secret, ["HS256"], audience=client_id
            )
        except jwt.PyJWTError as exc:
            raise TokenError("invalid_subject_token") from exc
        if str(claims.get("dest", "")).removeprefix("https://") != shop.domain:
            raise TokenError("invalid_subject_token")
        expiring = str(body.get("expiring", "0")) == "1"
        shop.installed = True  # a token exchange is how a Shopify-managed install completes
        return issue(shop, scope, ttl if expiring else None)
    if body.get("grant_type") == "refresh_token":
        return _refresh(shop, str(body.get("refresh_token", "")), scope, ttl)
    raise TokenError("unsupported_grant_type")


def _refresh(shop: Shop, refresh_token: str, scope: str, ttl: int) -> AccessToken:
    now = utcnow()
    old = next((t for t in shop.tokens.values() if t.refresh_token == refresh_token), None)
    if old is None or old.refresh_expires_at is None or old.refresh_expires_at <= now:
        raise TokenError("invalid_grant")
    # The old access token stops working once its replacement is issued.
    old.expires_at = min(old.expires_at or now, now)
    return issue(shop, old.scope or scope, ttl)


def authorised(shop: Shop, header: str | None) -> bool:
    """Whether ``X-Shopify-Access-Token`` names a live token of ``shop``."""
    token = shop.tokens.get(header or "")
    if token is None or not shop.installed:
        return False
    return token.expires_at is None or token.expires_at > utcnow()


def id_token(shop: Shop, client_id: str, secret: str, user_id: int = 1) -> str:
    """Mint the session (id) token App Bridge would give the embedded app."""
    now = utcnow()
    claims = {
        "iss": f"https://{shop.domain}/admin",
        "dest": f"https://{shop.domain}",
        "aud": client_id,
        "sub": str(user_id),
        "exp": now + timedelta(minutes=1),
        "nbf": now - timedelta(seconds=5),
        "iat": now,
        "jti": secrets.token_hex(8),
        "sid": secrets.token_hex(8),
    }
    return jwt.encode(claims, secret, algorithm="HS256")
