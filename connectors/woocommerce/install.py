"""Turning keys into a connected shop: check them, store them encrypted, subscribe webhooks."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.woocommerce import sync, webhooks
from connectors.woocommerce.client import WooClient
from connectors.woocommerce.connect import normalise_store_url
from connectors.woocommerce.errors import WooFatalError
from connectors.woocommerce.webhooks import delivery_url
from core.clock import Clock
from core.enums import Platform, ShopStatus
from core.errors import StoreError
from core.models import Order, Shop
from core.ports import SyncResult


def check_keys(client: WooClient) -> None:
    """An authenticated read: WooAuthError if the store refuses the keys.

    WooFatalError when the address answers, but not as a WooCommerce store would (a page
    that is not JSON, JSON that is not a list of orders).
    """
    try:
        orders = client.get("orders", per_page=1)
    except ValueError as exc:  # requests' JSONDecodeError: some other web server
        raise WooFatalError(f"{client.url} did not answer as a WooCommerce store") from exc
    if not isinstance(orders, list):
        raise WooFatalError(f"{client.url} did not answer as a WooCommerce store")


def save_shop(
    session: Session, store_url: str, consumer_key: str, consumer_secret: str, clock: Clock
) -> Shop:
    """Create or update the shop row with encrypted keys and a webhook secret; commit."""
    domain = normalise_store_url(store_url)
    shop = session.scalars(
        select(Shop).where(Shop.platform == Platform.WOOCOMMERCE, Shop.domain == domain)
    ).one_or_none()
    if shop is None:
        shop = Shop(platform=Platform.WOOCOMMERCE, domain=domain, name=domain.split("://")[-1])
        session.add(shop)
    shop.set_credentials(
        consumer_key=consumer_key,
        consumer_secret=consumer_secret,
        webhook_secret=shop.credential("webhook_secret") or secrets.token_urlsafe(32),
        # Shared with the Reshelf Returns plugin (its settings page) to sign return links.
        portal_link_secret=shop.credential("portal_link_secret") or secrets.token_urlsafe(32),
    )
    shop.status, shop.status_message = ShopStatus.ACTIVE, None
    shop.scopes = "read_write"
    shop.installed_at = shop.installed_at or clock.now()
    shop.uninstalled_at = None
    session.commit()
    return shop


def client_for(shop: Shop) -> WooClient:
    """A REST client with the shop's stored keys."""
    return WooClient(
        shop.domain, shop.credential("consumer_key") or "", shop.credential("consumer_secret") or ""
    )


def subscribe(shop: Shop, public_url: str) -> list[int]:
    """Create the shop's webhooks (those missing) with its secret."""
    return webhooks.register(
        client_for(shop), delivery_url(public_url, shop), shop.credential("webhook_secret") or ""
    )


def backfill(session: Session, shop: Shop, clock: Clock) -> list[SyncResult]:
    """Full sync of products, customers and orders."""
    return sync.sync_all(session, shop, client_for(shop), full=True, clock=clock)


def connect_with_keys(
    session: Session,
    store_url: str,
    consumer_key: str,
    consumer_secret: str,
    public_url: str,
    clock: Clock,
) -> Shop:
    """Check the keys, store them, subscribe webhooks (raises StoreError).

    The keys are checked before anything is written, and a new shop whose webhooks could
    not be created is removed again: a connect that failed leaves no shop behind. The
    caller has checked the address (``store_address``) and who may connect it.
    """
    store = normalise_store_url(store_url)
    check_keys(WooClient(store, consumer_key, consumer_secret))
    existed = session.scalars(
        select(Shop.id).where(Shop.platform == Platform.WOOCOMMERCE, Shop.domain == store)
    ).one_or_none()
    shop = save_shop(session, store, consumer_key, consumer_secret, clock)
    try:
        subscribe(shop, public_url)
    except (StoreError, ValueError, TypeError, KeyError) as exc:
        if existed is None:
            session.delete(shop)
            session.commit()
        if isinstance(exc, StoreError):
            raise
        # Answers that are not WooCommerce's (no webhook id, not JSON): not a store.
        raise WooFatalError(f"{store} did not answer as a WooCommerce store") from exc
    return shop


def order_for_link(session: Session, shop: Shop, order_id: str) -> Order | None:
    """The mirrored order, read from the store first if its webhook has not arrived yet."""
    query = select(Order).where(Order.shop_id == shop.id, Order.platform_id == order_id)
    order = session.scalars(query).one_or_none()
    if order is None:
        client = client_for(shop)
        try:
            sync.upsert_order(session, shop, client, client.get(f"orders/{order_id}"))
        except WooFatalError:
            return None  # no such order on the store
        session.commit()
        order = session.scalars(query).one_or_none()
    return order


def disconnect(session: Session, shop: Shop, public_url: str, clock: Clock) -> int:
    """Delete the shop's webhooks on the store and mark it uninstalled."""
    removed = webhooks.unregister(client_for(shop), delivery_url(public_url, shop))
    shop.status, shop.uninstalled_at = ShopStatus.UNINSTALLED, clock.now()
    session.commit()
    return removed
