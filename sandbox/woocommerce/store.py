"""The emulated store's state: resources kept in their REST v3 shape, behind one lock.

WooCommerce keeps everything in MySQL and serialises nothing for us; the emulator keeps
dicts shaped like the REST responses and guards every change with one re-entrant lock, so
concurrent requests see the same atomicity a single SQL update would give.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

Resource = dict[str, Any]
Listener = Callable[[str, str, Any], None]

WC_DATE = "%Y-%m-%dT%H:%M:%S"
WC_VERSION = "10.3.0"


class WooError(Exception):
    """A WP_Error: rendered as ``{"code", "message", "data": {"status"}}`` by the app."""

    def __init__(self, code: str, message: str, status: int, **data: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.data = code, message, status, data


@dataclass
class ApiKey:
    """A row of ``wp_woocommerce_api_keys`` (the consumer key is kept only as a hash)."""

    key_id: int
    user_id: int
    consumer_key_hash: str
    consumer_secret: str
    permissions: str  # read | write | read_write
    description: str = ""
    # check_oauth_timestamp_and_nonce() keys used nonces by timestamp: one per second.
    nonces: dict[int, str] = field(default_factory=dict)


def api_hash(consumer_key: str) -> str:
    """``wc_api_hash()``: HMAC-SHA256 of the key with the fixed secret ``wc-api``."""
    # Source: plugins/woocommerce/includes/wc-core-functions.php (wc_api_hash).
    return hmac.new(b"wc-api", consumer_key.encode(), hashlib.sha256).hexdigest()


def money(value: Decimal | str | int) -> str:
    """Format an amount as WooCommerce's REST API does (a string with two decimals)."""
    return f"{Decimal(value):.2f}"


class Store:
    """All of one emulated WooCommerce site's data."""

    def __init__(self, utc_offset_hours: int = 0, clock: Callable[[], datetime] | None = None):
        self.lock = threading.RLock()
        self.utc_offset = timedelta(hours=utc_offset_hours)
        self._clock = clock or (lambda: datetime.now(UTC))
        # WordPress posts share one id sequence (products, variations, orders, coupons...).
        self._post_ids = itertools.count(100)
        self._item_ids = itertools.count(1)
        self._key_ids = itertools.count(1)
        self.products: dict[int, Resource] = {}
        self.orders: dict[int, Resource] = {}
        self.refunds: dict[int, list[Resource]] = {}
        self.notes: dict[int, list[Resource]] = {}
        self.coupons: dict[int, Resource] = {}
        self.customers: dict[int, Resource] = {}
        self.api_keys: dict[str, ApiKey] = {}
        # What the REST API hides (protected meta) but the tests must see.
        self.order_stock_reduced: dict[int, bool] = {}
        self.item_reduced_stock: dict[int, int] = {}
        self.listeners: list[Listener] = []
        self.tax_rate = Decimal(0)  # one standard rate (id 1), in percent
        # What GET /system_status reports as environment.version (WC_VERSION).
        self.wc_version = WC_VERSION
        # False: a WooCommerce whose product controllers ignore inventory_delta (WordPress
        # drops arguments a route does not know), whatever version it reports.
        self.inventory_delta = True
        # Set by the companion plugin when it is installed (see plugin.py).
        self.plugin_installed = False
        self.plugin_statuses: tuple[str, ...] = ()
        self.applied_movements: dict[str, Resource] = {}
        # The emails the site sent (WC_Emails), newest last: what a shopper would receive.
        self.emails: list[Resource] = []

    # -- time -------------------------------------------------------------------------
    def set_clock(self, clock: Callable[[], datetime]) -> None:
        """Replace the site's clock (tests freeze it to put two changes in one second)."""
        self._clock = clock

    def timestamp(self) -> int:
        """``strtotime('now')``: the current second, as WordPress counts it."""
        return int(self._clock().timestamp())

    def now(self) -> datetime:
        """The current time in UTC, naive (as WooCommerce's ``*_gmt`` fields are)."""
        return self._clock().astimezone(UTC).replace(tzinfo=None)

    def stamp(self, resource: Resource, *names: str) -> None:
        """Set ``<name>`` (site time) and ``<name>_gmt`` for each date field name."""
        gmt = self.now()
        for name in names:
            resource[name] = (gmt + self.utc_offset).strftime(WC_DATE)
            resource[f"{name}_gmt"] = gmt.strftime(WC_DATE)

    def next_post_id(self) -> int:
        """The next ``wp_posts`` id."""
        return next(self._post_ids)

    def next_item_id(self) -> int:
        """The next ``woocommerce_order_items`` id."""
        return next(self._item_ids)

    # -- events -----------------------------------------------------------------------
    def emit(self, resource: str, event: str, resource_id: Any) -> None:
        """Tell listeners (the webhook dispatcher) that a resource changed."""
        for listener in list(self.listeners):
            listener(resource, event, resource_id)

    # -- keys -------------------------------------------------------------------------
    def create_api_key(self, permissions: str = "read_write", user_id: int = 1) -> tuple[str, str]:
        """Create REST API keys as ``WC_Auth::create_keys`` does; return (key, secret)."""
        # Source: includes/class-wc-auth.php (create_keys): 'ck_'/'cs_' . wc_rand_hash().
        consumer_key = "ck_" + secrets.token_hex(20)
        consumer_secret = "cs_" + secrets.token_hex(20)
        with self.lock:
            key = ApiKey(
                next(self._key_ids), user_id, api_hash(consumer_key), consumer_secret, permissions
            )
            self.api_keys[key.consumer_key_hash] = key
        return consumer_key, consumer_secret

    def key_by_id(self, key_id: int) -> ApiKey | None:
        """The key row with this id, if any."""
        return next((k for k in self.api_keys.values() if k.key_id == key_id), None)

    def delete_key(self, key_id: int) -> None:
        """Delete a key row (``WC_Auth::maybe_delete_key``)."""
        with self.lock:
            for digest, key in list(self.api_keys.items()):
                if key.key_id == key_id:
                    del self.api_keys[digest]

    # -- stock ------------------------------------------------------------------------
    def find_product(self, product_id: int) -> Resource:
        """A product or variation by id, or ``woocommerce_rest_product_invalid_id``."""
        product = self.products.get(product_id)
        if product is None:
            raise WooError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
        return product

    def update_stock(
        self, product_id: int, quantity: int, operation: str, *, notify: bool = True
    ) -> int | None:
        """``wc_update_product_stock($product, $qty, $operation)``: atomic, returns new stock.

        ``notify=False`` is the Reshelf plugin's restock, which a real store (WooCommerce
        10.0.2, issue 15) delivers no ``product.updated`` for.
        """
        # Source: includes/wc-stock-functions.php (wc_update_product_stock) -> the data
        # store's update_product_stock() does `stock = stock + qty` in one SQL statement.
        with self.lock:
            product = self.find_product(product_id)
            if not product.get("manage_stock"):
                return None
            current = int(product.get("stock_quantity") or 0)
            new = {"increase": current + quantity, "decrease": current - quantity}.get(
                operation, quantity
            )
            product["stock_quantity"] = new
            product["stock_status"] = "instock" if new > 0 else "outofstock"
            self.stamp(product, "date_modified")
        # wc_update_product_stock() then saves the product, which fires
        # woocommerce_update_product, one of the product.updated topic's hooks.
        if notify:
            self.emit("product", "updated", product_id)
        return new
