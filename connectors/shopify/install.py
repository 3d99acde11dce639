"""Install and credentials: token exchange, refresh ahead of expiry, custom-app tokens.

- Shopify-managed installation: the embedded app home's id token is exchanged for an
  expiring offline access token and a refresh token
  (https://shopify.dev/docs/apps/build/authentication-authorization/get-access-tokens/exchange-tokens);
  public apps must use expiring offline tokens
  (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens).
- Tokens live encrypted in ``Shop.credentials``; ``Shop.token_expires_at`` stays in the
  clear so the refresh job finds what expires soon.
- A custom app made in the merchant's admin gives a token that never expires and its own
  API secret, which then verifies that shop's webhooks.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from shopify_app import IdTokenDetails, ShopifyApp, TokenExchangeAccessToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.shopify.client import AdminClient
from connectors.shopify.mapping import when
from core.clock import Clock
from core.enums import Platform, ShopStatus
from core.errors import FatalStoreError, RetriableStoreError, StoreAuthError
from core.models import Shop

# Refresh this long before the access token expires (the SDK itself refuses within 60 s).
REFRESH_AHEAD = timedelta(minutes=5)


class AppNotConfigured(FatalStoreError):
    """The public app's client id or secret is not set: nothing can be verified or exchanged."""


def configured_app(client_id: str, secret: str) -> ShopifyApp:
    """The public app with these credentials; ``AppNotConfigured`` when either is empty.

    There is no fallback secret: a placeholder would be public, and an id token signed
    with it would open a Shopify admin session to anyone.
    """
    if not client_id or not secret:
        raise AppNotConfigured("SHOPIFY_API_KEY and SHOPIFY_API_SECRET are not both set")
    return ShopifyApp(client_id, secret)


def find_shop(session: Session, domain: str) -> Shop | None:
    """The Shopify shop with this myshopify domain."""
    return session.scalars(
        select(Shop).where(Shop.platform == Platform.SHOPIFY, Shop.domain == domain)
    ).one_or_none()


def _store_token(shop: Shop, token: TokenExchangeAccessToken) -> None:
    shop.set_credentials(
        access_token=token.token,
        refresh_token=token.refresh_token,
        expires=token.expires,
        refresh_token_expires=token.refresh_token_expires,
    )
    shop.token_expires_at = when(token.expires)
    shop.scopes = token.scope or shop.scopes


def describe_shop(shop: Shop, http_client: httpx.Client | None) -> None:
    """Fill the shop's name, currency and plan from the Admin API."""
    token = shop.credential("access_token") or ""
    data = AdminClient(shop.domain, token, http_client).request("shop")["shop"]
    shop.name, shop.currency = data["name"], data["currencyCode"]
    shop.plan = data["plan"]["publicDisplayName"]


def install(
    session: Session,
    app: ShopifyApp,
    id_token: IdTokenDetails,
    clock: Clock,
    http_client: httpx.Client | None = None,
) -> tuple[Shop, bool]:
    """Exchange a verified id token for an offline token; return the shop and whether it is new."""
    result = app.exchange_using_token_exchange(
        "offline", id_token=id_token, expiring=True, http_client=http_client
    )
    if not result.ok or result.access_token is None:
        # No answer (the SDK's network_error) or a 5xx may pass; a 4xx is Shopify saying no.
        passing = result.log.code == "network_error" or result.response.status >= 500
        failure = RetriableStoreError if passing else StoreAuthError
        raise failure(f"token exchange failed: {result.log.code}")
    domain = str(id_token.claims["dest"]).removeprefix("https://")
    shop = find_shop(session, domain)
    created = shop is None or shop.status == ShopStatus.UNINSTALLED
    if shop is None:
        shop = Shop(platform=Platform.SHOPIFY, domain=domain)
        session.add(shop)
    _store_token(shop, result.access_token)
    shop.status, shop.status_message = ShopStatus.ACTIVE, None
    shop.installed_at = shop.installed_at if not created else clock.now()
    shop.uninstalled_at = None
    describe_shop(shop, http_client)
    return shop, created


def needs_refresh(shop: Shop, now: datetime) -> bool:
    """Whether the shop's expiring token should be refreshed now."""
    return bool(shop.credential("refresh_token")) and (
        shop.token_expires_at is None or shop.token_expires_at - REFRESH_AHEAD <= now
    )


def refresh(
    shop: Shop,
    app: ShopifyApp,
    clock: Clock,
    http_client: httpx.Client | None = None,
    force: bool = False,
) -> bool:
    """Refresh the shop's token if it expires soon (or ``force``); say whether it changed."""
    if not (needs_refresh(shop, clock.now()) or (force and shop.credential("refresh_token"))):
        return False
    held = TokenExchangeAccessToken(
        access_mode="offline",
        shop=shop.domain.removesuffix(".myshopify.com"),
        token=shop.credential("access_token") or "",
        expires=None,
        scope=shop.scopes,
        refresh_token=shop.credential("refresh_token"),
        refresh_token_expires=shop.credential("refresh_token_expires"),
        user=None,
    )
    result = app.refresh_token_exchanged_access_token(held, http_client=http_client)
    if result.ok and result.access_token is not None:
        _store_token(shop, result.access_token)
        return True
    if result.response.status in (401, 400) or result.log.code == "refresh_token_expired":
        shop.status, shop.status_message = (
            ShopStatus.NEEDS_RECONNECT,
            "Shopify refused the refresh token",
        )
        raise StoreAuthError(f"refresh failed: {result.log.code}")
    raise RetriableStoreError(f"refresh failed: {result.log.code}")


def add_custom_app(
    session: Session,
    domain: str,
    access_token: str,
    api_secret: str,
    clock: Clock,
    http_client: httpx.Client | None = None,
) -> Shop:
    """Connect a shop through a custom app's admin token (checked against the shop first)."""
    shop = find_shop(session, domain) or Shop(platform=Platform.SHOPIFY, domain=domain)
    session.add(shop)
    shop.set_credentials(
        access_token=access_token, api_secret=api_secret, refresh_token=None, expires=None
    )
    shop.token_expires_at = None
    shop.status, shop.installed_at, shop.uninstalled_at = ShopStatus.ACTIVE, clock.now(), None
    describe_shop(shop, http_client)
    return shop
