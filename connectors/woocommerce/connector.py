"""``WooCommerceConnector``: core's ``StoreConnector`` for one WooCommerce shop."""

from __future__ import annotations

import json
import logging

from sqlalchemy.orm import Session

from connectors.woocommerce import money, privacy, stock, sync, webhooks
from connectors.woocommerce.cli import add_woocommerce, disconnect_woocommerce
from connectors.woocommerce.client import WooClient
from connectors.woocommerce.consts import ERASE_TOPIC
from connectors.woocommerce.errors import WooFatalError
from connectors.woocommerce.handlers import HANDLERS
from connectors.woocommerce.webhooks import delivery_url
from core.clock import Clock
from core.config import get_settings
from core.enums import InboxStatus, Platform, ResolutionKind
from core.errors import FatalStoreError
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


class WooCommerceConnector:
    """Talks to one WooCommerce store with the shop's (decrypted) keys."""

    platform = Platform.WOOCOMMERCE
    # WooCommerce has no API rate limit of its own; its PHP workers are the limit.
    max_concurrency = 4
    # The plugin's erasure request needs no store call: applied whatever the shop's state.
    privacy_topics = frozenset({ERASE_TOPIC})
    # Products first (orders point at them), then customers, then orders.
    backfill_resources = ("products", "customers", "orders")
    # ``POST /webhooks/woocommerce/<shop key>`` and ``reshelf shop add woocommerce``.
    receive_webhook = staticmethod(webhooks.receive)
    cli_commands = (add_woocommerce,)
    disconnect_commands = (disconnect_woocommerce,)

    def __init__(
        self, shop: Shop, client: WooClient | None = None, public_url: str | None = None
    ) -> None:
        self.shop = shop
        self.client = client or WooClient(
            shop.domain,
            shop.credential("consumer_key") or "",
            shop.credential("consumer_secret") or "",
        )
        self.public_url = public_url or get_settings().public_url
        self._plugin: bool | None = None
        self._version: tuple[int, ...] | None = None

    @classmethod
    def for_shop(cls, session: Session, shop: Shop) -> WooCommerceConnector:
        """The connector of one shop (``connectors.connector_for``): keys do not expire."""
        return cls(shop)

    @property
    def has_plugin(self) -> bool:
        """Whether the store runs the Reshelf Returns plugin (asked once per connector)."""
        if self._plugin is None:
            self._plugin = self.client.has_plugin()
        return self._plugin

    @property
    def version(self) -> tuple[int, ...] | None:
        """The store's WooCommerce version (System status), asked once per connector."""
        if self._version is None:
            self._version = stock.store_version(self.client)
        return self._version

    def apply_movement(self, session: Session, movement: StockMovement) -> StoreAnswer:
        """Put a movement's units back on the store, once."""
        if self.has_plugin:
            return stock.restock_with_plugin(session, self.client, self.shop, movement)
        return stock.restock_with_delta(session, self.client, self.shop, movement, self.version)

    def apply_settlement(self, session: Session, settlement: Settlement) -> StoreAnswer:
        """Refund or issue store credit, once."""
        if settlement.kind == ResolutionKind.REFUND:
            return money.refund(self.client, settlement)
        if settlement.kind == ResolutionKind.STORE_CREDIT:
            return money.store_credit(self.client, settlement)
        raise WooFatalError(f"{settlement.kind.value} is not supported on WooCommerce yet")

    def push_return(self, session: Session, request: ReturnRequest) -> None:
        """A note for each step the return took (once each); the plugin's status if any."""
        order_id = request.order.platform_id
        steps = [e.to_status for e in request.events if e.kind == "status" and e.to_status]
        written = money.note_texts(self.client, order_id)
        for step in dict.fromkeys(steps or [request.status.value]):
            text = f"Reshelf return {request.rma}: {step.replace('_', ' ')}."
            if text not in written:
                money.add_note(self.client, order_id, text, unique=False)
        status = money.order_status(session, request)
        if status and self.has_plugin:
            money.set_status(self.client, order_id, status)

    def read_available(self, variant: Variant, location: Location) -> int:
        """The store's stock of the item now."""
        return stock.read_stock(self.client, variant)

    def process_delivery(self, session: Session, delivery: InboxDelivery) -> None:
        """Apply a stored delivery through the topic's handler; unknown topics are ignored."""
        if delivery.topic == ERASE_TOPIC:  # needs the delivery itself: its body goes too
            privacy.erase_personal_data(session, self.shop, delivery)
            return
        handler = HANDLERS.get(delivery.topic)
        if handler is None:
            log.info("no handler for WooCommerce topic %s; ignored", delivery.topic)
            delivery.status = InboxStatus.IGNORED
            return
        payload = json.loads(delivery.body or b"{}")
        if not handler(session, self.shop, self.client, payload):
            delivery.status = InboxStatus.IGNORED  # older than the mirror: nothing to do

    def sync(self, session: Session, resource: str, *, full: bool, clock: Clock) -> SyncResult:
        """Backfill or reconcile one resource (orders, products, customers)."""
        if resource not in sync.UPSERTS:
            raise FatalStoreError(f"WooCommerce cannot sync {resource!r}")
        return sync.sync_resource(session, self.shop, self.client, resource, full=full, clock=clock)

    def refresh_credentials(self, session: Session, clock: Clock) -> bool:
        """WooCommerce keys do not expire: nothing to refresh."""
        return False

    def check_webhooks(self, session: Session) -> list[str]:
        """Re-activate disabled or paused webhooks and create missing ones; say what was fixed.

        WooCommerce never re-sends what it failed to deliver, so a repair means a gap: the
        worker's health job reconciles every shop it repaired (``modified_after`` the cursor).
        """
        secret = self.shop.credential("webhook_secret") or ""
        return webhooks.ensure(self.client, delivery_url(self.public_url, self.shop), secret)
