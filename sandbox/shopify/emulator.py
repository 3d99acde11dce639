"""The emulator's top object: the app registered with it, its shops, and webhook delivery."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sandbox.shopify.cost import LeakyBucket
from sandbox.shopify.state import Shop
from sandbox.shopify.tokens import ACCESS_TOKEN_SECONDS
from sandbox.shopify.webhooks import WebhookSender

DEFAULT_SCOPES = (
    "read_orders,write_orders,read_returns,write_returns,read_inventory,write_inventory,"
    "read_products,read_customers,read_locations"
)


@dataclass
class AppConfig:
    """The one app the emulator knows: its credentials and where its webhooks go."""

    client_id: str = "reshelf-client-id"
    client_secret: str = "shpss_0123456789abcdef0123456789abcdef"
    scopes: str = DEFAULT_SCOPES
    api_version: str = "2026-04"
    webhook_url: str | None = None
    # Topics the app subscribes to (its shopify.app.toml); None means every topic.
    topics: set[str] | None = None
    token_seconds: int = ACCESS_TOKEN_SECONDS
    # Multiplies every webhook retry delay: 0.001 turns four hours into fifteen seconds.
    time_scale: float = 1.0


@dataclass
class Emulator:
    """Shops by handle, the app, and the webhook sender; safe to share between threads."""

    app: AppConfig = field(default_factory=AppConfig)
    clock: Callable[[], float] = time.monotonic
    shops: dict[str, Shop] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.webhooks = WebhookSender(
            self.app.client_secret, self.app.api_version, self.app.time_scale
        )
        self.bulk_dir = tempfile.mkdtemp(prefix="shopify-bulk-")

    def create_shop(self, name: str, plan: str = "standard", currency: str = "USD") -> Shop:
        """Open a shop ``name``.myshopify.com on ``plan`` (its rate-limit bucket follows)."""
        with self._lock:
            if name in self.shops:
                raise ValueError(f"shop {name} exists")
            shop = Shop(
                name=name,
                plan=plan,
                bucket=LeakyBucket.for_plan(plan, self.clock),
                currency=currency,
            )
            self.shops[name] = shop
            return shop

    def shop(self, name_or_domain: str) -> Shop:
        """Find a shop by handle or by its myshopify domain (KeyError when absent)."""
        return self.shops[name_or_domain.removesuffix(".myshopify.com")]

    def subscribed(self, topic: str) -> bool:
        """Whether the app subscribes to ``topic``."""
        return self.app.topics is None or topic in self.app.topics

    def emit(self, shop: Shop, topic: str, payload: dict[str, Any]) -> str | None:
        """Send ``topic`` to the app if it subscribes and has an address; return the webhook id."""
        if not self.app.webhook_url or not self.subscribed(topic) or not shop.installed:
            return None
        return self.webhooks.send(self.app.webhook_url, topic, shop.domain, payload)

    def emit_many(self, shop: Shop, events: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Send several events in order."""
        for topic, payload in events:
            self.emit(shop, topic, payload)

    def close(self) -> None:
        """Stop background work (webhook delivery)."""
        self.webhooks.close()
        shutil.rmtree(self.bulk_dir, ignore_errors=True)
