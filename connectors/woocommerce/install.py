"""Turning keys into a connected shop: check them, store them encrypted, subscribe webhooks."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

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
from core.services.redaction import redact_shop

# Where a merchant revokes a key: the store lists each by its last seven characters,
# "…1a2b3c4" (includes/class-wc-auth.php create_keys: truncated_key = substr(ck, -7);
# includes/admin/class-wc-admin-api-keys-table-list.php column_truncated_key).
KEYS_PAGE = "WooCommerce › Settings › Advanced › REST API"
WEBHOOKS_PAGE = "WooCommerce › Settings › Advanced › Webhooks"


def key_name(consumer_key: str | None) -> str:
    """How the store's REST API page names this key: "…" and its last seven characters."""
    return f"…{(consumer_key or '')[-7:]}" if consumer_key else "Reshelf's key"


def key_page(domain: str, key_id: str | int | None) -> str | None:
    """The store's page for one key, whose "Revoke key" link deletes it; None if unknown.

    Keys from wc-auth carry their id; keys entered by hand do not. The page is
    ``edit-key`` on the REST API section (includes/admin/class-wc-admin-api-keys.php).
    """
    if not key_id:
        return None
    return (
        f"{domain}/wp-admin/admin.php?page=wc-settings&tab=advanced&section=keys&edit-key={key_id}"
    )


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
    session: Session,
    store_url: str,
    consumer_key: str,
    consumer_secret: str,
    clock: Clock,
    key_id: int | None = None,
) -> Shop:
    """Create or update the shop row with encrypted keys and a webhook secret; commit.

    ``key_id`` is the store's id for a key wc-auth made; keys entered by hand have none.
    """
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
        key_id=key_id,
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
    key_id: int | None = None,
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
    shop = save_shop(session, store, consumer_key, consumer_secret, clock, key_id)
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
    """The mirrored order, read from the store first if its webhook has not arrived yet.

    A shop whose key the store refuses answers from the mirror alone: the call would fail.
    """
    query = select(Order).where(Order.shop_id == shop.id, Order.platform_id == order_id)
    order = session.scalars(query).one_or_none()
    if order is None and shop.status == ShopStatus.ACTIVE:
        client = client_for(shop)
        try:
            sync.upsert_order(session, shop, client, client.get(f"orders/{order_id}"))
        except WooFatalError:
            return None  # no such order on the store
        session.commit()
        order = session.scalars(query).one_or_none()
    return order


@dataclass(frozen=True)
class Disconnected:
    """What a disconnect did, and what is left for the merchant to do on the store."""

    domain: str
    key_to_revoke: str  # as the store's REST API page names it
    key_page: str | None  # where to revoke it, when the store told us the key's id
    webhooks_removed: int | None  # None: the store refused, they must be deleted by hand
    store_problem: str | None
    data_deleted: bool


def disconnect(
    session: Session, shop: Shop, public_url: str, clock: Clock, *, delete_data: bool
) -> Disconnected:
    """Delete the shop's webhooks on the store, forget its keys, mark it uninstalled.

    WooCommerce has no REST route to delete an API key, so the merchant revokes it; the
    answer names it. A store that refuses (a revoked key) still gets the shop disconnected,
    and the answer says the webhooks are left for the merchant to delete. With
    ``delete_data`` every row the shop owns goes too (as Shopify's ``shop/redact`` does).
    """
    revoke = key_name(shop.credential("consumer_key"))
    revoke_at = key_page(shop.domain, shop.credential("key_id"))
    removed: int | None = None
    problem = None
    try:
        removed = webhooks.unregister(client_for(shop), delivery_url(public_url, shop))
    except StoreError as exc:
        problem = str(exc)
    if delete_data:
        redact_shop(session, shop)
    shop.set_credentials(consumer_key=None, consumer_secret=None, key_id=None)
    shop.status, shop.uninstalled_at = ShopStatus.UNINSTALLED, clock.now()
    shop.status_message = "disconnected by the merchant"
    domain = shop.domain
    session.commit()
    return Disconnected(domain, revoke, revoke_at, removed, problem, delete_data)
