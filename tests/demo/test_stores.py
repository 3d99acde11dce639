"""The demo's pieces: the stores' "Return an item" links as Reshelf checks them, shop renewal."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from shopify_app import ShopifyApp
from sqlalchemy import select

from connectors.shopify.client import ENV_VAR
from connectors.woocommerce import portal_link
from core.config import get_settings
from core.enums import Platform
from core.models import InboxDelivery, Order, Shop
from demo.run import connect_demo
from demo.shops import replace_demo_shop
from demo.stores import DemoStores, start_demo_stores
from sandbox.woocommerce.ordering import new_order
from tests.support.live import serve_wsgi
from webapp import create_app

BUTTON = re.compile(r'<a class="button" href="([^"]+)">Return an item</a>')


@pytest.fixture
def stores():
    """Both emulators, seeded and serving on ports of their own."""
    started = start_demo_stores(0, 0)
    yield started
    started.stop()


@pytest.fixture
def fresh_settings():
    """Settings read again after the test (list it before monkeypatch, which undoes first)."""
    yield
    get_settings.cache_clear()


def _buttons(page: str) -> list[str]:
    return [html.unescape(link) for link in BUTTON.findall(page)]


def test_shopify_button_reaches_the_proxy_url_signed_as_shopify_signs(stores: DemoStores):
    client = stores.shopify_app.test_client()
    account = "/storefront/reshelf-demo/account"
    buttons = _buttons(client.get(account).get_data(as_text=True))
    assert len(buttons) == 3
    assert buttons[-1] == "/storefront/reshelf-demo/apps/returns?order=1001&email=sam%40example.com"
    assert client.get(buttons[-1]).status_code == 404  # no app proxy set up yet
    stores.shopify_storefront.proxy_url = "http://reshelf.test/returns/KEY/"
    target = client.get(buttons[-1]).headers["Location"]
    assert target.startswith("http://reshelf.test/returns/KEY/?")
    app = ShopifyApp(stores.shopify.app.client_id, stores.shopify.app.client_secret)
    verified = app.verify_app_proxy_req({"method": "GET", "headers": {}, "url": target, "body": ""})
    assert verified.ok, verified.log
    assert verified.shop == "reshelf-demo"  # the SDK gives the handle
    assert verified.logged_in_customer_id
    assert parse_qs(urlparse(target).query)["order"] == ["1001"]


def test_woocommerce_button_is_the_plugins_signed_link(stores: DemoStores):
    client = stores.woocommerce_app.test_client()
    orders = "/my-account/orders/"
    assert _buttons(client.get(orders).get_data(as_text=True)) == []  # plugin not set up
    stores.woocommerce_plugin.portal_url = "http://reshelf.test/returns/KEY"
    stores.woocommerce_plugin.secret = "shared"
    buttons = _buttons(client.get(orders).get_data(as_text=True))
    assert len(buttons) == 3
    link = urlparse(buttons[0])
    assert buttons[0].startswith("http://reshelf.test/returns/KEY/from-store?")
    args = {k: v[0] for k, v in parse_qs(link.query).items()}
    order_id, email = portal_link.verify("shared", args, datetime.now(UTC))
    assert email == stores.woocommerce_shopper
    assert stores.woocommerce.store.orders[int(order_id)]["customer_id"]


def test_a_store_the_shopify_link_cannot_name_is_not_found(stores: DemoStores):
    assert stores.shopify_app.test_client().get("/storefront/nobody/account").status_code == 404


def test_replacing_a_demo_shop_keeps_its_key_and_drops_its_data(db, factory):
    old = factory.shop(domain="http://127.0.0.1:8010", platform=Platform.WOOCOMMERCE)
    old.settings = {"demo": True}
    factory.order(old, [(factory.variant(old), 1, Decimal("10.00"))])
    kept = factory.shop(domain="http://shop.example", platform=Platform.WOOCOMMERCE)
    db.commit()
    key, kept_id = old.key, kept.id

    new = replace_demo_shop(db, Platform.WOOCOMMERCE, "http://127.0.0.1:9010", "demo")
    db.commit()
    assert new.key == key
    assert new.settings == {"demo": True}
    assert db.scalars(select(Order)).all() == []
    assert sorted(db.scalars(select(Shop.id)).all()) == sorted([kept_id, new.id])


def test_connected_demo_shops_mirror_the_stores_and_hear_their_new_orders(
    stores: DemoStores, db, engine, dispatcher, fresh_settings, monkeypatch
):
    app = create_app({"DATABASE_ENGINE": engine, "DISPATCHER": dispatcher})
    with serve_wsgi(app) as reshelf_url:
        monkeypatch.setenv("RESHELF_PUBLIC_URL", reshelf_url)
        monkeypatch.setenv(ENV_VAR, stores.shopify_server.url)
        get_settings.cache_clear()
        lines = connect_demo(stores)
        assert [line.split(": ")[0] for line in lines[:3]] == ["Admin", "Portal", "Storefront"]
        shops = {shop.platform: shop for shop in db.scalars(select(Shop))}
        numbers = {
            p: {o.number for o in db.scalars(select(Order).filter_by(shop_id=s.id))}
            for p, s in shops.items()
        }
        assert numbers[Platform.SHOPIFY] == {"1001", "1002", "1003"}
        assert len(numbers[Platform.WOOCOMMERCE]) == 7  # four guests' orders, three of Kim's

        seeder, store = stores.shopify_app.extensions["shopify_seeder"], stores.shopify_store
        shop = stores.shopify.shop(store.domain)
        shopper, variant = next(iter(shop.customers.values())), next(iter(shop.variants.values()))
        seeder.order(shop, shopper, [(variant, 1)])
        product = next(iter(stores.woocommerce.store.products))
        line = {"product_id": product, "quantity": 1}
        new_order(stores.woocommerce.store, {"status": "processing", "line_items": [line]})
        assert stores.shopify.webhooks.drain(10)
        assert stores.woocommerce.dispatcher.drain(10)
    topics = {(d.platform, d.topic) for d in db.scalars(select(InboxDelivery))}
    assert (Platform.SHOPIFY, "orders/create") in topics
    assert (Platform.WOOCOMMERCE, "order.created") in topics
