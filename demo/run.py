"""``reshelf demo``: both store emulators, Reshelf connected to them, the web app and worker.

Everything runs in one process, as threads: the two emulators, the web app and the
worker. Ctrl-C or SIGTERM stops them all, and there is no child process to leave behind.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from flask import Flask

from connectors.shopify.client import ENV_VAR
from core.clock import SystemClock
from core.config import get_settings
from core.db import engine_for, session_scope
from demo.shops import add_demo_admin, connect_shopify, connect_woocommerce
from demo.stores import DemoStores, serve_in_background, start_demo_stores
from webapp import create_app
from worker.runner import start_embedded_worker


@dataclass(frozen=True)
class DemoPorts:
    """Where Reshelf and the two emulators listen on the host."""

    host: str
    reshelf: int
    shopify: int
    woocommerce: int


def run_demo(ports: DemoPorts, echo: Callable[[str], None]) -> None:
    """Start the stores and Reshelf, connect them, print the URLs; serve until stopped."""
    stop = _stop_on_signals()
    # Keep each request out of the log, so the URLs to open stay in sight.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    stores = start_demo_stores(ports.shopify, ports.woocommerce)
    try:
        # Connectors made from now on send *.myshopify.com calls to the emulator.
        os.environ[ENV_VAR] = stores.shopify_server.url
        # The emulated stores listen on this machine: let staff connect them from the admin.
        app = demo_app({"ALLOW_PRIVATE_STORES": True})
        reshelf = serve_in_background(app, ports.host, ports.reshelf, "reshelf")
        try:
            lines = connect_demo(stores)
            # Started once the shops are re-created, so its first cron round finds them.
            # With REDIS_URL it works the Redis queues; without, the in-process ones.
            worker = start_embedded_worker()
            try:
                for line in lines:
                    echo(line)
                stop.wait()
            finally:
                worker.stop()
        finally:
            reshelf.stop()
    finally:
        stores.stop()


def demo_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The web app of the demo: the one where the demo admin may sign in."""
    return create_app({"DEMO": True, **(test_config or {})})


def connect_demo(stores: DemoStores) -> list[str]:
    """Connect a Reshelf shop to each store and point the stores at it; the lines to print."""
    settings, clock = get_settings(), SystemClock()
    public = settings.public_url.rstrip("/")
    woo_keys = stores.woocommerce.store.create_api_key("read_write")
    with session_scope(engine_for(settings.database_url)) as session:
        # WooCommerce first: the admin opens on the lowest shop id, the store printed first.
        woo = connect_woocommerce(session, stores.woocommerce_server.url, woo_keys, public, clock)
        shopify = connect_shopify(session, stores.shopify_store, clock)
        email, password = add_demo_admin(session, [woo, shopify], settings.secret_key)
        shopify_key, woo_key = shopify.key, woo.key
        link_secret = woo.credential("portal_link_secret") or ""
    # What the app's toml subscribes to, and the app proxy and plugin settings a merchant sets.
    stores.shopify.app.webhook_url = f"{public}/webhooks/shopify"
    stores.shopify_storefront.proxy_url = f"{public}/returns/{shopify_key}/"
    stores.woocommerce_plugin.portal_url = f"{public}/returns/{woo_key}"
    stores.woocommerce_plugin.secret = link_secret
    shopify_storefront, woo_storefront = stores.storefront_urls()
    return [
        f"Admin: {public}/admin/",
        f"Portal: {public}/returns/{woo_key}/",
        f"Storefront: {woo_storefront}",
        f"Sign in as {email} with password {password}",
        f"WooCommerce: press Return an item in the storefront (signed in as "
        f"{stores.woocommerce_shopper}).",
        f"Shopify: storefront {shopify_storefront} and portal {public}/returns/{shopify_key}/ "
        f"(orders #1001-#1003 of {stores.shopify_store.shopper_email}).",
        "Press Ctrl-C to stop Reshelf and both stores.",
    ]


def _stop_on_signals() -> threading.Event:
    """An event set by SIGINT (Ctrl-C) or SIGTERM, so the demo shuts down in order."""
    stop = threading.Event()

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return stop
