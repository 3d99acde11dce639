"""``create_emulator()``: a WooCommerce site in one WSGI app, for tests, demo and benchmarks."""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import Flask, Response, request

from . import (
    customers,
    orders,
    plugin,
    plugin_lifecycle,
    privacy,
    products,
    refunds,
    storefront,
    system_status,
    wc_auth,
    webhooks,
)
from .common import error_response, reply
from .delivery import Dispatcher, Webhook
from .store import Store, WooError


@dataclass
class Emulator:
    """Handles a test needs: the state, the webhook queue and a few settings."""

    store: Store
    dispatcher: Dispatcher
    salt: bytes
    insecure_callbacks: bool
    home_url: str = "http://127.0.0.1/"

    def erase_personal_data(self, email: str) -> dict[str, Any]:
        """Tools › Erase Personal Data for ``email``, with the plugin's eraser forwarding it."""
        return privacy.erase_personal_data(self.store, email)

    def deactivate_plugin(self) -> list[int]:
        """wp-admin › Plugins › Deactivate Reshelf Returns; the ids of the orders it moved."""
        return plugin_lifecycle.deactivate(self.store)

    def activate_plugin(self) -> list[int]:
        """wp-admin › Plugins › Activate Reshelf Returns; the ids of the orders restored."""
        return plugin_lifecycle.activate(self.store)

    def restore_product(self, product_id: int) -> None:
        """Products › Trash › Restore in wp-admin: ``untrashed_post``, so ``product.restored``.

        Source: wp-includes/post.php (wp_untrash_post puts back the status kept in
        ``_wp_trash_meta_status``); includes/class-wc-webhook.php (the topic's hook).
        """
        with self.store.lock:
            product = self.store.find_product(product_id)
            product["status"] = "publish"
            self.store.stamp(product, "date_modified")
        self.store.emit("product", "restored", product_id)

    def payload(self, hook: Webhook, resource_id: Any) -> Any:
        """``WC_Webhook::build_payload``: the resource as REST renders it now."""
        if hook.resource == "action":
            # get_wp_api_payload(): the action is current(get_hooks()), i.e. the event.
            return {"action": hook.event, "arg": resource_id}
        if hook.event == "deleted":
            return {"id": resource_id}
        tables = {
            "order": self.store.orders,
            "product": self.store.products,
            "customer": self.store.customers,
            "coupon": self.store.coupons,
        }
        with self.store.lock:
            found = tables[hook.resource].get(resource_id)
            if found is None:
                return {
                    "code": f"woocommerce_rest_{hook.resource}_invalid_id",
                    "message": "Invalid ID.",
                    "data": {"status": 404},
                }
            return copy.deepcopy(found)


def create_emulator(
    *,
    plugin_installed: bool = False,
    insecure_callbacks: bool = False,
    utc_offset_hours: int = 0,
    tax_rate: Decimal | str = "0",
    inventory_delta: bool = True,
) -> Flask:
    """A new emulated store. ``app.extensions["wc_emulator"]`` is its :class:`Emulator`.

    ``insecure_callbacks`` lets wc-auth post keys to an ``http://`` callback, which
    WooCommerce refuses; tests that run Reshelf on plain HTTP on 127.0.0.1 need it.
    """
    site = Store(utc_offset_hours=utc_offset_hours)
    site.tax_rate = Decimal(tax_rate)
    site.inventory_delta = inventory_delta
    if not inventory_delta:
        site.wc_version = "3.5.0"  # before the product controllers read inventory_delta
    site.plugin_installed = plugin_installed
    site.plugin_statuses = plugin.STATUSES if plugin_installed else ()
    emulator = Emulator(site, None, secrets.token_bytes(16), insecure_callbacks)  # type: ignore[arg-type]
    emulator.dispatcher = Dispatcher(emulator.payload, lambda: emulator.home_url, site.timestamp)
    site.listeners.append(emulator.dispatcher.on_change)

    app = Flask(__name__)
    app.extensions["wc_emulator"] = emulator
    app.extensions["wc_storefront"] = storefront.PluginSettings()
    blueprints = (products, orders, refunds, customers, webhooks, wc_auth, storefront)
    # The plugin's routes answer rest_no_route while it is not active (plugin.py).
    for module in (*blueprints, system_status, plugin):
        app.register_blueprint(module.bp)

    @app.before_request
    def remember_home_url() -> None:
        emulator.home_url = request.host_url

    @app.errorhandler(WooError)
    def woo_error(error: WooError) -> Response:
        return error_response(error)

    @app.errorhandler(404)
    @app.errorhandler(405)  # WordPress answers an unknown method like an unknown route
    def no_route(_: Exception) -> Response:
        return error_response(
            WooError(
                "rest_no_route", "No route was found matching the URL and request method.", 404
            )
        )

    @app.get("/wp-json/")
    def index() -> Response:
        """The REST index: which namespaces this site serves (how plugins are detected)."""
        namespaces = ["wp/v2", "wc/v3", "wc-auth/v1"] + (
            ["wc-reshelf/v1"] if site.plugin_installed else []
        )
        return reply(
            {
                "name": "Emulated WooCommerce store",
                "url": request.host_url.rstrip("/"),
                "namespaces": namespaces,
            }
        )

    return app
