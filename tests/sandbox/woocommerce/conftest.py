"""Fixtures: an emulated WooCommerce store served on 127.0.0.1, and a REST client for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from woocommerce import API

from sandbox.woocommerce import Emulator, create_emulator
from tests.support.live import serve_wsgi


@pytest.fixture
def wc_app() -> Iterator[Any]:
    """A fresh emulated store with the Reshelf plugin installed."""
    app = create_emulator(plugin_installed=True, insecure_callbacks=True, utc_offset_hours=2)
    yield app
    app.extensions["wc_emulator"].dispatcher.stop()


@pytest.fixture
def wc_emulator(wc_app: Any) -> Emulator:
    """The emulator's state and webhook queue."""
    emulator: Emulator = wc_app.extensions["wc_emulator"]
    return emulator


@pytest.fixture
def wc_url(wc_app: Any) -> Iterator[str]:
    """The store's base URL on real HTTP."""
    with serve_wsgi(wc_app) as url:
        yield url


@pytest.fixture
def wc_keys(wc_emulator: Emulator) -> tuple[str, str]:
    """A read_write consumer key and secret."""
    return wc_emulator.store.create_api_key("read_write")


@pytest.fixture
def wc_api(wc_url: str, wc_keys: tuple[str, str]) -> API:
    """The ``woocommerce`` package's client; plain HTTP, so it signs with OAuth 1.0a."""
    return API(wc_url, *wc_keys, timeout=10)


@pytest.fixture
def make_product(wc_api: API) -> Any:
    """A function creating a stock-managed simple product through REST."""

    def make(sku: str = "TEE-1", stock: int = 10, price: str = "20") -> Any:
        answer = wc_api.post(
            "products",
            {
                "name": f"Product {sku}",
                "sku": sku,
                "regular_price": price,
                "manage_stock": True,
                "stock_quantity": stock,
            },
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    return make
