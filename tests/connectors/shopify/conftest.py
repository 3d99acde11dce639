"""Fixtures: the live emulator (from the emulator suite), a mirrored Shop and its connector."""

from __future__ import annotations

import pytest
from shopify_app import ShopifyApp

from connectors.shopify.client import pacer_for
from connectors.shopify.connector import ShopifyConnector
from core.enums import Platform
from core.models import Shop
from tests.sandbox.shopify.conftest import TOKEN, base_url, client, emulator, emulator_app, seeder

__all__ = ["base_url", "client", "emulator", "emulator_app", "seeder"]


@pytest.fixture
def store(seeder):
    """The emulator's shop "acme" with a custom app token."""
    shop = seeder.shop("acme")
    seeder.static_token(shop, TOKEN)
    return shop


@pytest.fixture
def shop_row(db, store):
    """Reshelf's row for acme.myshopify.com, connected with the custom app token."""
    pacer_for(store.domain).available = None  # a fresh emulator has a fresh bucket
    shop = Shop(platform=Platform.SHOPIFY, domain=store.domain, name="acme")
    shop.set_credentials(access_token=TOKEN, api_secret="custom-app-secret")
    db.add(shop)
    db.commit()
    return shop


@pytest.fixture
def connector(shop_row, client, emulator, clock):
    app = ShopifyApp(emulator.app.client_id, emulator.app.client_secret)
    return ShopifyConnector(shop_row, http_client=client, app=app)


@pytest.fixture
def catalogue(seeder, store):
    """Two variants with stock, a customer and two fulfilled orders in the emulator."""
    shirt, cap = seeder.product(
        store,
        "Shirt",
        [
            {"sku": "SH-1", "price": "30.00", "stock": 10},
            {"sku": "CAP-1", "price": "12.00", "stock": 5},
        ],
        product_type="Tops",
        tags=["summer"],
    )
    ann = seeder.customer(store, "ann@example.com", "Ann", "Lee", tags=["vip"])
    orders = [
        seeder.order(store, ann, [(shirt, 2), (cap, 1)]),
        seeder.order(store, ann, [(cap, 1)]),
    ]
    return {"shirt": shirt, "cap": cap, "ann": ann, "orders": orders}
