"""Seeded store emulators served on 127.0.0.1 for the benchmarks."""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.serving import make_server

from sandbox.shopify import create_emulator as create_shopify
from sandbox.shopify.cost import BUCKET_SECONDS, RESTORE_RATES, LeakyBucket
from sandbox.shopify.emulator import Emulator as ShopifyEmulator
from sandbox.shopify.seeding import Seeder
from sandbox.woocommerce import create_emulator as create_woocommerce
from sandbox.woocommerce.seed import seed_catalog, seed_orders


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve a WSGI app on a free port in a thread; yield its base URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_forked(app: Any) -> Iterator[str]:
    """Serve a seeded WSGI app from a forked process; yield its base URL.

    The store then has a core and a heap of its own: what the benchmark measures (the
    client's time, its memory) is Reshelf's, not the emulator's. Its state is what it was
    at the fork; the parent's copy no longer changes with the requests.
    """
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    child = multiprocessing.get_context("fork").Process(target=server.serve_forever, daemon=True)
    child.start()
    server.socket.close()  # the child listens; the parent only talks to it
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        child.terminate()
        child.join(timeout=10)


def seed_shopify_orders(seeder: Seeder, name: str, orders: int, token: str) -> Any:
    """A Standard-plan shop with a small catalogue and ``orders`` two-line orders."""
    shop = seeder.shop(name)
    seeder.static_token(shop, token)
    variants = seeder.product(
        shop,
        "Tee",
        [
            {"sku": f"TEE-{i}", "title": f"Size {i}", "price": "20.00", "stock": 10**6}
            for i in range(10)
        ],
    )
    customers = [seeder.customer(shop, f"c{i}@example.com", "Ann", f"N{i}") for i in range(50)]
    start = datetime.now(UTC) - timedelta(days=30)
    for n in range(orders):
        seeder.order(
            shop,
            customers[n % 50],
            [(variants[n % 10], 1), (variants[(n + 3) % 10], 2)],
            fulfil=False,
            created_at=start + timedelta(seconds=n),
        )
    return shop


def compress_time(shop: Any, plan: str, factor: float) -> None:
    """Run ``shop``'s cost bucket ``factor`` times faster than the plan (same bucket size).

    Everything the client sees (``restoreRate``, ``currentlyAvailable``) stays consistent,
    so the ratio to the budget is what it would be at the plan's real speed.
    """
    rate = RESTORE_RATES[plan]
    shop.bucket = LeakyBucket(maximum=rate * BUCKET_SECONDS, restore_rate=rate * factor)


def shopify_emulator() -> tuple[ShopifyEmulator, Seeder, Any]:
    app = create_shopify()
    return app.extensions["shopify_emulator"], app.extensions["shopify_seeder"], app


def woocommerce_store(orders: int) -> tuple[Any, Any]:
    """A WooCommerce emulator (no webhooks) with ``orders`` orders; (app, emulator)."""
    app = create_woocommerce(plugin_installed=True)
    emulator = app.extensions["wc_emulator"]
    seed_orders(emulator.store, seed_catalog(emulator.store), orders)
    return app, emulator
