"""Emulated WooCommerce stores on 127.0.0.1 for the worker's tests that need real HTTP.

Each store runs ``sandbox.woocommerce`` with the Reshelf plugin (its atomic, idempotent
stock route), optionally behind ``FlakyStore``, which answers the first requests to that
route with 429 and 500 as an overloaded host does.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from woocommerce import API

from core.enums import Platform
from core.models import Variant
from sandbox.woocommerce import Emulator, create_emulator
from tests.support.live import serve_wsgi

STOCK_ROUTE = "/wp-json/wc-reshelf/v1/stock"


@dataclass
class WooStore:
    """One running emulated store and a read_write key for it."""

    url: str
    emulator: Emulator
    keys: tuple[str, str]

    def stock(self, product_id: int) -> int:
        """The product's stock as the store holds it."""
        return int(self.emulator.store.products[product_id]["stock_quantity"])

    def add_product(self, sku: str, stock: int) -> int:
        """Create a stock-managed simple product over REST; return its id."""
        answer = API(self.url, *self.keys, timeout=10).post(
            "products",
            {
                "name": sku,
                "sku": sku,
                "regular_price": "20",
                "manage_stock": True,
                "stock_quantity": stock,
            },
        )
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])


@dataclass
class FlakyStore:
    """WSGI middleware: the stock route answers ``throttled`` 429s, then ``failing`` 500s.

    WooCommerce itself sends no 429, but the hosts in front of it (rate limiters, CDNs) do,
    with ``Retry-After``; PHP running out of workers answers 500/503.
    """

    app: Callable[..., Any]
    throttled: int
    failing: int
    # (time, movement id, status) of every POST to the stock route
    seen: list[tuple[float, str, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ["PATH_INFO"] == STOCK_ROUTE and environ["REQUEST_METHOD"] == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size)
            environ["wsgi.input"] = io.BytesIO(body)  # the store reads it again
            movement = str(json.loads(body or b"{}").get("movement_id"))
            with self.lock:
                n = len(self.seen)
                status = 201
                if n < self.throttled + self.failing:
                    status = 429 if n < self.throttled else 500
                self.seen.append((time.monotonic(), movement, status))
            if status == 429:
                headers = [("Content-Type", "application/json"), ("Retry-After", "1")]
                start_response("429 Too Many Requests", headers)
                return [b'{"code":"too_many_requests","message":"Slow down.","data":{}}']
            if status == 500:
                start_response("500 Internal Server Error", [("Content-Type", "text/html")])
                return [b"<h1>There has been a critical error on this website.</h1>"]
        return self.app(environ, start_response)


@contextmanager
def woo_stores(count: int, wrap: Callable[[Any], Any] | None = None) -> Iterator[list[WooStore]]:
    """``count`` emulated stores served on free ports, stopped on exit."""
    with ExitStack() as stack:
        stores = []
        for _ in range(count):
            app = create_emulator(plugin_installed=True)
            emulator: Emulator = app.extensions["wc_emulator"]
            stack.callback(emulator.dispatcher.stop)
            url = stack.enter_context(serve_wsgi(wrap(app) if wrap else app))
            stores.append(WooStore(url, emulator, emulator.store.create_api_key("read_write")))
        yield stores


def connect_shop(db: Any, factory: Any, store: WooStore, products: int, stock: int) -> Any:
    """A WooCommerce shop row for ``store`` with ``products`` mirrored variants."""
    shop = factory.shop(platform=Platform.WOOCOMMERCE, domain=store.url)
    shop.set_credentials(consumer_key=store.keys[0], consumer_secret=store.keys[1])
    for n in range(products):
        product_id = store.add_product(f"S{shop.id}-P{n}", stock)
        db.add(
            Variant(
                shop_id=shop.id,
                platform_id=str(product_id),
                product_platform_id=str(product_id),
                sku=f"S{shop.id}-P{n}",
            )
        )
    db.commit()
    return shop
