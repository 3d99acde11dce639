"""The demo's two stores: the Shopify and WooCommerce emulators, served on 127.0.0.1.

They run as threads of the ``reshelf demo`` process, beside Reshelf itself, so stopping
that one process (Ctrl-C, SIGTERM) stops them and nothing is left behind. Their state lives
in memory: every start opens them afresh with the same seeded stores.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from sandbox.shopify import create_emulator as create_shopify
from sandbox.shopify.demo import DemoStore, seed_demo_store
from sandbox.shopify.emulator import Emulator as ShopifyEmulator
from sandbox.shopify.storefront import StorefrontSettings
from sandbox.woocommerce import create_emulator as create_woocommerce
from sandbox.woocommerce.app import Emulator as WooEmulator
from sandbox.woocommerce.demo import seed_demo_store as seed_woo_store
from sandbox.woocommerce.storefront import PluginSettings

HOST = "127.0.0.1"


@dataclass
class BackgroundServer:
    """A threaded WSGI server running in a daemon thread."""

    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{HOST}:{self.server.server_port}"

    def stop(self) -> None:
        """Stop accepting requests and close the socket."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def serve_in_background(app: Flask, host: str, port: int, name: str) -> BackgroundServer:
    """Bind ``host:port`` now (so callers can connect at once) and serve in a thread."""
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    return BackgroundServer(server, thread)


@dataclass
class DemoStores:
    """Both emulators, seeded and serving; what Reshelf needs to connect to them."""

    shopify_app: Flask
    woocommerce_app: Flask
    shopify_server: BackgroundServer
    woocommerce_server: BackgroundServer
    shopify_store: DemoStore
    woocommerce_shopper: str

    @property
    def shopify(self) -> ShopifyEmulator:
        """The Shopify emulator's state."""
        emulator: ShopifyEmulator = self.shopify_app.extensions["shopify_emulator"]
        return emulator

    @property
    def woocommerce(self) -> WooEmulator:
        """The WooCommerce emulator's state."""
        emulator: WooEmulator = self.woocommerce_app.extensions["wc_emulator"]
        return emulator

    @property
    def shopify_storefront(self) -> StorefrontSettings:
        """The Shopify storefront's signed-in shopper and app proxy address."""
        settings: StorefrontSettings = self.shopify_app.extensions["shopify_storefront"]
        return settings

    @property
    def woocommerce_plugin(self) -> PluginSettings:
        """The Reshelf Returns plugin's settings and the signed-in shopper."""
        settings: PluginSettings = self.woocommerce_app.extensions["wc_storefront"]
        return settings

    def storefront_urls(self) -> tuple[str, str]:
        """The shopper's orders page on each store (Shopify, WooCommerce)."""
        shop = self.shopify_store.domain.removesuffix(".myshopify.com")
        return (
            f"{self.shopify_server.url}/storefront/{shop}/account",
            f"{self.woocommerce_server.url}/my-account/orders/",
        )

    def stop(self) -> None:
        """Stop serving and stop both emulators' webhook threads."""
        self.shopify_server.stop()
        self.woocommerce_server.stop()
        self.shopify.close()
        self.woocommerce.dispatcher.stop()


def start_demo_stores(shopify_port: int, woocommerce_port: int) -> DemoStores:
    """Start both emulators and seed them; their webhooks go nowhere until Reshelf connects."""
    shopify_app = create_shopify(webhook_url=None)
    store = seed_demo_store(shopify_app.extensions["shopify_seeder"])
    shopify_app.extensions["shopify_storefront"].shopper_email = store.shopper_email
    woo_app = create_woocommerce(plugin_installed=True)
    woo: WooEmulator = woo_app.extensions["wc_emulator"]
    shopper = seed_woo_store(woo.store)
    woo_app.extensions["wc_storefront"].shopper_email = shopper
    shopify_server = serve_in_background(shopify_app, HOST, shopify_port, "demo-shopify")
    try:
        woo_server = serve_in_background(woo_app, HOST, woocommerce_port, "demo-woocommerce")
    except BaseException:  # werkzeug exits when the port is taken, after saying so
        shopify_server.stop()
        raise
    return DemoStores(shopify_app, woo_app, shopify_server, woo_server, store, shopper)
