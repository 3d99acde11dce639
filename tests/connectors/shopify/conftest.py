"""Fixtures: the live emulator (from the emulator suite), a mirrored Shop and its connector."""

from __future__ import annotations

import json
import uuid

import pytest
from shopify_app import ShopifyApp
from sqlalchemy import select

from connectors.shopify.client import pacer_for
from connectors.shopify.connector import ShopifyConnector
from core.enums import Platform
from core.models import InboxDelivery, Shop
from core.services import process_delivery
from sandbox.shopify.webhooks import sign
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
        collections=["linen"],
    )
    ann = seeder.customer(store, "ann@example.com", "Ann", "Lee", tags=["vip"])
    orders = [
        seeder.order(store, ann, [(shirt, 2), (cap, 1)]),
        seeder.order(store, ann, [(cap, 1)]),
    ]
    return {"shirt": shirt, "cap": cap, "ann": ann, "orders": orders}


WEBHOOK_SECRET = "custom-app-secret"


@pytest.fixture
def web(engine, db, clock, dispatcher):
    """The web app's test client on the test database."""
    from webapp import create_app

    config = {"TESTING": True, "DATABASE_ENGINE": engine, "CLOCK": clock, "DISPATCHER": dispatcher}
    return create_app(config).test_client()


def signed_post(web, shop_row, topic, body: bytes, secret=WEBHOOK_SECRET, webhook_id=None, **extra):
    """POST a webhook to /webhooks/shopify signed as Shopify signs."""
    headers = {
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": shop_row.domain,
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-Triggered-At": "2026-06-15T11:59:00Z",
        "X-Shopify-API-Version": "2026-04",
        "Content-Type": "application/json",
        **extra,
    }
    return web.post("/webhooks/shopify", data=body, headers=headers)


@pytest.fixture
def web_post(web, db, shop_row, connector, clock):
    """Deliver a webhook through the endpoint and process it as the worker would."""

    def deliver(topic, payload):
        answer = signed_post(web, shop_row, topic, json.dumps(payload).encode())
        assert answer.status_code == 200
        delivery = db.scalars(select(InboxDelivery).order_by(InboxDelivery.id.desc())).first()
        return process_delivery(db, delivery.id, connector, clock)

    return deliver
