"""``ShopifyConnector``: the ``StoreConnector`` protocol for one Shopify shop."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import httpx
from shopify_app import ShopifyApp
from sqlalchemy.orm import Session

from connectors.shopify import (
    bulk,
    install,
    money,
    returns,
    stock,
    sync,
    webhooks,
)
from connectors.shopify.cli import add_shopify
from connectors.shopify.client import AdminClient, routed_client
from connectors.shopify.consts import COMPLIANCE_TOPICS
from connectors.shopify.handlers import HANDLERS
from connectors.shopify.received import Received
from core.clock import Clock, SystemClock
from core.config import get_settings
from core.enums import InboxStatus, Platform, ShopStatus
from core.errors import StoreAuthError
from core.models import (
    InboxDelivery,
    Location,
    ReturnRequest,
    Settlement,
    Shop,
    StockMovement,
    Variant,
)
from core.ports import StoreAnswer, SyncResult

log = logging.getLogger(__name__)


def public_app() -> ShopifyApp:
    """The public app (``SHOPIFY_API_KEY`` / ``SHOPIFY_API_SECRET``); ``AppNotConfigured`` unset."""
    settings = get_settings()
    return install.configured_app(settings.shopify_api_key, settings.shopify_api_secret)


class ShopifyConnector:
    """Talks to one shop's Admin API; every store change carries a ledger-derived key."""

    platform = Platform.SHOPIFY
    # Shopify's limit is the cost bucket, which the client paces; two calls at once keep it busy.
    max_concurrency = 2
    # shop/redact comes 48 hours after uninstall: these are applied whatever the shop's state.
    privacy_topics = frozenset(COMPLIANCE_TOPICS)
    # Locations and variants before orders and stock, which point at them.
    backfill_resources = ("locations", "variants", "customers", "orders", "inventory")
    # ``POST /webhooks/shopify`` and ``reshelf shop add shopify``, served through the registry.
    receive_webhook = staticmethod(webhooks.receive)
    cli_commands = (add_shopify,)

    def __init__(
        self,
        shop: Shop,
        http_client: httpx.Client | None = None,
        app: ShopifyApp | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.shop = shop
        self.http_client = http_client if http_client is not None else routed_client(os.environ)
        self._app = app
        self.clock = clock or SystemClock()

    @classmethod
    def for_shop(cls, session: Session, shop: Shop) -> ShopifyConnector:
        """The connector of one Shopify shop, its token refreshed first if it expires soon.

        The refreshed token is committed before the caller's work starts: Shopify retires the
        old refresh token once the new access token is used, so a later rollback of that work
        must not take the new tokens with it.
        """
        connector = cls(shop)
        clock = SystemClock()
        expiring = install.needs_refresh(shop, clock.now())
        if expiring and connector.refresh_credentials(session, clock):
            session.commit()
        return connector

    @property
    def app(self) -> ShopifyApp:
        """The app whose secret refreshes tokens."""
        if self._app is None:
            self._app = public_app()
        return self._app

    def api(self, name: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send one named document with the shop's current token."""
        if self.shop.status == ShopStatus.UNINSTALLED:
            raise StoreAuthError(f"{self.shop.domain} uninstalled Reshelf")
        if install.needs_refresh(self.shop, self.clock.now()):
            install.refresh(self.shop, self.app, self.clock, self.http_client)
        token = self.shop.credential("access_token")
        if not token:
            raise StoreAuthError(f"{self.shop.domain} has no access token")
        try:
            return AdminClient(self.shop.domain, token, self.http_client).request(name, variables)
        except StoreAuthError:
            # Refused before its recorded expiry (revoked, clock skew): refresh once and retry.
            if not install.refresh(self.shop, self.app, self.clock, self.http_client, force=True):
                raise
        token = self.shop.credential("access_token") or ""
        return AdminClient(self.shop.domain, token, self.http_client).request(name, variables)

    def apply_movement(self, session: Session, movement: StockMovement) -> StoreAnswer:
        """Restock on Shopify, once (dispose on a Shopify return, else adjust with CAS)."""
        return stock.apply_movement(self.api, movement)

    def apply_settlement(self, session: Session, settlement: Settlement) -> StoreAnswer:
        """Refund or credit through ``returnProcess``, then close the Shopify return."""
        return money.apply_settlement(self.api, settlement)

    def push_return(self, session: Session, request: ReturnRequest) -> None:
        """Create or move the Shopify return to match Reshelf's status."""
        returns.push(request, self.api)

    def read_available(self, variant: Variant, location: Location) -> int:
        """Units available on Shopify now."""
        return stock.read_available(self.api, variant, location)

    def process_delivery(self, session: Session, delivery: InboxDelivery) -> None:
        """Apply a stored webhook through the topic's handler; unknown topics are ignored."""
        handler = HANDLERS.get(delivery.topic)
        if handler is None or delivery.body is None:
            log.info(
                "no handler for %s; delivery %s kept for the record", delivery.topic, delivery.id
            )
            delivery.status = InboxStatus.IGNORED
            return
        handler(Received(session, self.shop, json.loads(delivery.body), delivery, self.api))

    def sync(self, session: Session, resource: str, *, full: bool, clock: Clock) -> SyncResult:
        """Backfill (``full``) or reconcile one resource (see ``SYNC_ORDER``)."""
        return sync.sync_resource(session, self.shop, self.api, resource, full, clock)

    def bulk_backfill(self, session: Session, clock: Clock) -> SyncResult:
        """Backfill every order through a bulk operation (large shops)."""
        return bulk.backfill_orders(session, self.shop, self.api, clock, self.http_client)

    def refresh_credentials(self, session: Session, clock: Clock) -> bool:
        """Refresh the expiring offline token ahead of expiry."""
        return install.refresh(self.shop, self.app, clock, self.http_client)

    def check_webhooks(self, session: Session) -> list[str]:
        """Subscriptions come from shopify.app.toml and Shopify keeps them; nothing to repair."""
        return []


SYNC_ORDER = ShopifyConnector.backfill_resources
