"""A WooCommerce emulator on 127.0.0.1 and a shop in the test database connected to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from woocommerce import API

from connectors.woocommerce import install
from connectors.woocommerce.client import WooClient
from connectors.woocommerce.connector import WooCommerceConnector
from core.models import Shop
from sandbox.woocommerce import Emulator, create_emulator
from tests.support.live import serve_wsgi
from webapp import create_app


@pytest.fixture(params=[True], ids=["plugin"])
def plugin_installed(request: pytest.FixtureRequest) -> bool:
    """Whether the emulated store runs the Reshelf Returns plugin (override per test)."""
    return bool(request.param)


@pytest.fixture
def woo(plugin_installed: bool) -> Iterator[tuple[Emulator, str]]:
    """The emulator and its base URL."""
    app = create_emulator(
        plugin_installed=plugin_installed,
        insecure_callbacks=True,
        utc_offset_hours=2,
        tax_rate="20",
    )
    emulator: Emulator = app.extensions["wc_emulator"]
    with serve_wsgi(app) as url:
        yield emulator, url
    emulator.dispatcher.stop()


@pytest.fixture
def woo_keys(woo: tuple[Emulator, str]) -> tuple[str, str]:
    return woo[0].store.create_api_key("read_write")


@pytest.fixture
def woo_api(woo: tuple[Emulator, str], woo_keys: tuple[str, str]) -> API:
    """The merchant's side: what they (or their shoppers) do on the store."""
    return API(woo[1], *woo_keys, timeout=10)


@pytest.fixture
def woo_shop(db: Any, woo: tuple[Emulator, str], woo_keys: tuple[str, str], clock: Any) -> Shop:
    """A connected WooCommerce shop (keys stored encrypted)."""
    return install.save_shop(db, woo[1], *woo_keys, clock)


@pytest.fixture
def connector(woo_shop: Shop) -> WooCommerceConnector:
    return WooCommerceConnector(woo_shop, public_url="http://127.0.0.1:9")


@pytest.fixture
def woo_client(woo: tuple[Emulator, str], woo_keys: tuple[str, str]) -> WooClient:
    return WooClient(woo[1], *woo_keys, timeout=10)


@pytest.fixture
def seed(woo_api: API) -> Callable[..., dict[str, Any]]:
    """Create a product and a paid order on the store; return both."""

    def make(
        sku: str = "TEE",
        stock: int = 10,
        quantity: int = 2,
        gateway: str = "stripe",
        email: str = "ann@example.com",
    ) -> dict[str, Any]:
        product = woo_api.post(
            "products",
            {
                "name": f"Tee {sku}",
                "sku": sku,
                "regular_price": "25",
                "manage_stock": True,
                "stock_quantity": stock,
                "tags": [{"name": "Summer"}],
            },
        ).json()
        order = woo_api.post(
            "orders",
            {
                "payment_method": gateway,
                "set_paid": True,
                "status": "completed",
                "billing": {"email": email, "first_name": "Ann", "country": "FR"},
                "shipping": {"country": "DE"},
                "line_items": [{"product_id": product["id"], "quantity": quantity}],
            },
        ).json()
        return {"product": product, "order": order}

    return make


@pytest.fixture
def reshelf_config() -> dict[str, Any]:
    """What ``reshelf`` adds to the app's config; a module overrides it to change that."""
    return {}


@pytest.fixture
def reshelf(
    engine: Any, db: Any, clock: Any, dispatcher: Any, reshelf_config: dict[str, Any]
) -> Iterator[str]:
    """Reshelf's web app on real HTTP (the store's deliveries land in its inbox); its URL."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_ENGINE": engine,
            "CLOCK": clock,
            "DISPATCHER": dispatcher,
            **reshelf_config,
        }
    )
    with serve_wsgi(app) as url:
        app.config["PUBLIC_URL"] = url
        yield url
