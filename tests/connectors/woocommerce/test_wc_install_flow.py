"""Connect through wc-auth end to end: staff → store approve page → key callback → return."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from sqlalchemy import func, select

from connectors.woocommerce.consts import TOPICS
from core.enums import Platform, Role
from core.models import Order, Shop, User
from tests.support.live import serve_wsgi
from webapp import create_app
from webapp.users import add_user
from worker.backfills import backfill_job
from worker.context import WorkerContext, use_context

PASSWORD = "correct horse battery staple"


@pytest.fixture
def reshelf(engine, db, clock, dispatcher, factory):
    """The web app on real HTTP, and a signed-in owner (of some other shop) as a browser."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_ENGINE": engine,
            "CLOCK": clock,
            "DISPATCHER": dispatcher,
            "ALLOW_PRIVATE_STORES": True,  # the emulated store listens on 127.0.0.1
        }
    )
    add_user(db, "owner@example.com", PASSWORD, factory.shop(), Role.OWNER)
    with serve_wsgi(app) as url:
        app.config["PUBLIC_URL"] = url
        browser = requests.Session()
        page = browser.get(f"{url}/admin/login", timeout=5).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        browser.post(
            f"{url}/admin/login",
            timeout=5,
            data={"email": "owner@example.com", "password": PASSWORD, "csrf_token": token},
        )
        yield url, browser


def _approve(browser, approve_page):
    link = re.search(r'wc-auth-approve" href="([^"]+)"', approve_page.text).group(1)
    return browser.get(html.unescape(link), timeout=20)


def test_connect_subscribes_and_queues_the_backfill_job(db, engine, dispatcher, reshelf, woo, seed):
    url, browser = reshelf
    seed()
    approve_page = browser.get(
        f"{url}/install/woocommerce/connect", params={"store": woo[1]}, timeout=10
    )
    assert urlparse(approve_page.url).path == "/wc-auth/v1/authorize"
    done = _approve(browser, approve_page)
    assert done.status_code == 200
    db.expire_all()
    shop = db.scalars(select(Shop).where(Shop.platform == Platform.WOOCOMMERCE)).one()
    assert shop.credential("consumer_key").startswith("ck_")
    # The request only queued the backfill; the worker's job reads the store.
    assert ("backfill", shop.id) in dispatcher.sent
    assert db.scalar(select(func.count(Order.id)).where(Order.shop_id == shop.id)) == 0
    with use_context(WorkerContext(engine=engine)):
        backfill_job(shop.id)
    assert db.scalar(select(func.count(Order.id)).where(Order.shop_id == shop.id)) == 1
    assert len(woo[0].dispatcher.webhooks) == len(TOPICS)
    owner = db.scalars(select(User).where(User.email == "owner@example.com")).one()
    assert {m.shop_id: m.role for m in owner.memberships}[shop.id] == Role.OWNER


def test_expired_token_callback_is_refused_and_the_store_drops_the_key(db, reshelf, woo, clock):
    url, browser = reshelf
    approve_page = browser.get(
        f"{url}/install/woocommerce/connect", params={"store": woo[1]}, timeout=10
    )
    clock.advance(hours=1)  # the merchant approved an hour later: the token has expired
    refused = _approve(browser, approve_page)
    assert refused.status_code == 401  # the store's "unable to send the consumer data"
    assert woo[0].store.api_keys == {}  # WooCommerce deleted the key we refused
    assert db.scalar(select(func.count(Shop.id)).where(Shop.platform == Platform.WOOCOMMERCE)) == 0


def test_start_needs_a_signed_in_user(reshelf, woo):
    url, _ = reshelf
    anonymous = requests.get(
        f"{url}/install/woocommerce/connect",
        params={"store": woo[1]},
        allow_redirects=False,
        timeout=5,
    )
    assert anonymous.status_code == 302
    assert "/admin/login" in anonymous.headers["Location"]
    assert "user_id" not in parse_qs(urlparse(anonymous.headers["Location"]).query)


def test_manual_keys_from_the_connect_page(db, dispatcher, reshelf, woo, woo_keys, seed):
    url, browser = reshelf
    seed()
    page = browser.get(f"{url}/install/woocommerce/", timeout=5)
    assert "Connect WooCommerce store" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    wrong = browser.post(
        f"{url}/install/woocommerce/keys",
        timeout=10,
        data={
            "url": woo[1],
            "consumer_key": woo_keys[0],
            "consumer_secret": "cs_wrong",
            "csrf_token": token,
        },
    )
    assert "The store refused these keys" in wrong.text
    done = browser.post(
        f"{url}/install/woocommerce/keys",
        timeout=20,
        data={
            "url": woo[1],
            "consumer_key": woo_keys[0],
            "consumer_secret": woo_keys[1],
            "csrf_token": token,
        },
    )
    assert done.status_code == 200
    db.expire_all()
    shop = db.scalars(select(Shop).where(Shop.platform == Platform.WOOCOMMERCE)).one()
    assert dispatcher.sent == [("backfill", shop.id)]
    assert len(woo[0].dispatcher.webhooks) == len(TOPICS)
