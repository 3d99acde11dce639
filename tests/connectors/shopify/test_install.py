"""Install from the embedded app home (token exchange), refresh ahead of expiry, custom apps."""

from __future__ import annotations

import socket
import warnings
from datetime import timedelta

import pytest
from click.testing import CliRunner
from jwt.warnings import InsecureKeyLengthWarning
from sqlalchemy import select

from connectors.shopify.cli import add_shopify
from connectors.shopify.client import ENV_VAR
from connectors.shopify.connector import ShopifyConnector
from core.clock import SystemClock
from core.config import get_settings
from core.enums import Platform, ShopStatus
from core.models import PolicyVersion, Shop
from sandbox.shopify import tokens
from tests.sandbox.shopify.conftest import TOKEN


@pytest.fixture
def public_app_env(monkeypatch, emulator, base_url):
    """The web app configured as the emulator's public app, talking to it over HTTP."""
    monkeypatch.setenv("SHOPIFY_API_KEY", emulator.app.client_id)
    monkeypatch.setenv("SHOPIFY_API_SECRET", emulator.app.client_secret)
    monkeypatch.setenv(ENV_VAR, base_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_app_home_installs_with_an_expiring_offline_token(db, web, seeder, public_app_env):
    store = seeder.shop("newshop")
    answer = web.get(
        f"/shopify?shop={store.domain}&host=YWRtaW4&embedded=1&id_token={seeder.id_token(store)}"
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    shop = db.scalars(select(Shop).where(Shop.domain == store.domain)).one()
    assert (shop.platform, shop.status, shop.name) == (
        Platform.SHOPIFY,
        ShopStatus.ACTIVE,
        "newshop",
    )
    assert shop.credential("access_token") in store.tokens
    assert shop.credential("refresh_token")
    assert shop.token_expires_at is not None
    assert (
        db.scalars(select(PolicyVersion).where(PolicyVersion.shop_id == shop.id)).first()
        is not None
    )


def test_forged_id_token_installs_nothing(db, web, seeder, public_app_env):
    store = seeder.shop("newshop")
    answer = web.get(f"/shopify?shop={store.domain}&id_token=forged.token.value")
    assert answer.status_code in (302, 401)  # bounced to fetch a fresh token, or refused
    assert db.scalars(select(Shop)).all() == []


def test_token_is_refreshed_before_it_expires(db, web, seeder, emulator, client, public_app_env):
    store = seeder.shop("newshop")
    web.get(f"/shopify?shop={store.domain}&id_token={seeder.id_token(store)}")
    shop = db.scalars(select(Shop)).one()
    old = shop.credential("access_token")
    shop.token_expires_at = SystemClock().now() + timedelta(minutes=1)  # inside the refresh margin
    connector = ShopifyConnector(shop, http_client=client)
    assert connector.api("shop")["shop"]["name"] == "newshop"
    assert shop.credential("access_token") != old
    assert store.tokens[old].expires_at <= SystemClock().now()  # the old one no longer works


def test_shop_add_shopify_connects_a_custom_app(db, store, base_url, monkeypatch):
    monkeypatch.setenv(ENV_VAR, base_url)
    result = CliRunner().invoke(
        add_shopify, ["--domain", store.domain, "--access-token", TOKEN, "--api-secret", "s3cret"]
    )
    assert result.exit_code == 0, result.output
    shop = db.scalars(select(Shop).where(Shop.domain == store.domain)).one()
    assert (shop.credential("api_secret"), shop.token_expires_at) == ("s3cret", None)


def test_shop_add_shopify_refuses_a_bad_token(db, store, base_url, monkeypatch):
    monkeypatch.setenv(ENV_VAR, base_url)
    result = CliRunner().invoke(
        add_shopify, ["--domain", store.domain, "--access-token", "nope", "--api-secret", "s"]
    )
    assert result.exit_code != 0
    assert "refused" in result.output


def test_demo_store_connects_as_a_custom_app_and_backfills(db, base_url, monkeypatch):
    import httpx

    from connectors.shopify.connector import SYNC_ORDER
    from core.models import Order

    demo = httpx.post(f"{base_url}/_sandbox/demo", json={}).json()
    monkeypatch.setenv(ENV_VAR, base_url)
    args = [
        "--domain",
        demo["domain"],
        "--access-token",
        demo["access_token"],
        "--api-secret",
        demo["api_secret"],
    ]
    assert CliRunner().invoke(add_shopify, args).exit_code == 0
    shop = db.scalars(select(Shop)).one()
    connector = ShopifyConnector(shop)  # reaches the emulator through RESHELF_SHOPIFY_API_URL
    for resource in SYNC_ORDER:
        connector.sync(db, resource, full=True, clock=SystemClock())
    orders = db.scalars(select(Order)).all()
    assert len(orders) == 3
    assert any(line.final_sale for order in orders for line in order.lines)


def test_opening_the_app_again_does_not_exchange_again(db, web, seeder, public_app_env):
    store = seeder.shop("newshop")
    for _ in range(2):
        web.get(f"/shopify?shop={store.domain}&id_token={seeder.id_token(store)}")
    assert len(store.tokens) == 1


def test_connector_for_commits_a_refreshed_token_before_any_work(db, web, seeder, public_app_env):
    from connectors.shopify import connector_for

    store = seeder.shop("newshop")
    web.get(f"/shopify?shop={store.domain}&id_token={seeder.id_token(store)}")
    shop = db.scalars(select(Shop)).one()
    shop.token_expires_at = SystemClock().now() + timedelta(minutes=1)
    db.commit()
    old = shop.credential("access_token")
    connector = connector_for(db, shop)
    db.rollback()  # the job's own work fails afterwards
    db.refresh(shop)
    assert shop.credential("access_token") not in (None, old)
    assert connector.api("shop")["shop"]["name"] == "newshop"


def test_token_refused_early_is_refreshed_once_and_the_call_retried(
    db, web, seeder, client, public_app_env
):
    store = seeder.shop("newshop")
    web.get(f"/shopify?shop={store.domain}&id_token={seeder.id_token(store)}")
    shop = db.scalars(select(Shop)).one()
    store.tokens[shop.credential("access_token")].expires_at = SystemClock().now()  # dead early
    connector = ShopifyConnector(shop, http_client=client)
    assert connector.api("shop")["shop"]["name"] == "newshop"
    assert len(store.tokens) == 2


def forge(store, client_id: str, key: str) -> str:
    """An id token for ``store`` signed with ``key``, as anyone who knows the key can make."""
    with warnings.catch_warnings():
        # The forger's key is short on purpose: it is the placeholder that was public.
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return tokens.id_token(store, client_id, key)


@pytest.fixture
def no_secret_env(monkeypatch, base_url):
    """The web app with no public Shopify app configured, Shopify calls sent to the emulator."""
    monkeypatch.delenv("SHOPIFY_API_KEY", raising=False)
    monkeypatch.delenv("SHOPIFY_API_SECRET", raising=False)
    monkeypatch.setenv(ENV_VAR, base_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize("key", ["unset", "any-other-key"])
def test_without_the_secret_no_id_token_is_accepted(db, web, seeder, no_secret_env, key):
    store = seeder.shop("newshop")
    # What anyone can mint: the id token the old placeholder secret and client id verified.
    forged = forge(store, "reshelf", key)
    answer = web.get(f"/shopify?shop={store.domain}&embedded=1&id_token={forged}")
    assert answer.status_code == 503
    assert "not configured" in answer.get_data(as_text=True)
    assert db.scalars(select(Shop)).all() == []
    assert store.tokens == {}  # not even an exchange was tried


def test_without_the_secret_the_app_home_and_token_page_say_the_app_is_off(
    db, web, seeder, no_secret_env
):
    store = seeder.shop("newshop")
    for path in (f"/shopify?shop={store.domain}", f"/shopify/patch-id-token?shop={store.domain}"):
        answer = web.get(path)
        assert answer.status_code == 503, path
        assert "The Shopify app is not configured" in answer.get_data(as_text=True)


def test_with_the_secret_a_token_signed_with_another_key_is_refused(
    db, web, seeder, emulator, public_app_env
):
    store = seeder.shop("newshop")
    forged = forge(store, emulator.app.client_id, "unset")
    answer = web.get(f"/shopify?shop={store.domain}&embedded=1&id_token={forged}")
    assert answer.status_code in (302, 401)
    assert db.scalars(select(Shop)).all() == []
    assert store.tokens == {}


def test_a_token_exchange_the_store_refuses_is_a_clear_page(
    db, web, seeder, emulator, public_app_env
):
    store = seeder.shop("newshop")
    id_token = seeder.id_token(store)
    del emulator.shops["newshop"]  # the store is gone by the time Reshelf exchanges the token
    answer = web.get(f"/shopify?shop={store.domain}&embedded=1&id_token={id_token}")
    assert answer.status_code == 502
    assert "Shopify did not let Reshelf connect" in answer.get_data(as_text=True)
    assert db.scalars(select(Shop)).all() == []


def test_a_token_exchange_with_an_unreachable_store_is_a_clear_page(
    db, web, seeder, public_app_env, monkeypatch
):
    store = seeder.shop("newshop")
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv(ENV_VAR, f"http://127.0.0.1:{closed}")
    answer = web.get(f"/shopify?shop={store.domain}&embedded=1&id_token={seeder.id_token(store)}")
    assert answer.status_code == 502
    assert "Shopify did not let Reshelf connect" in answer.get_data(as_text=True)
    assert db.scalars(select(Shop)).all() == []


def test_without_the_secret_a_refresh_is_refused_before_calling_shopify(
    db, web, seeder, client, public_app_env, monkeypatch
):
    from connectors.shopify.install import AppNotConfigured

    store = seeder.shop("newshop")
    web.get(f"/shopify?shop={store.domain}&id_token={seeder.id_token(store)}")
    shop = db.scalars(select(Shop)).one()
    monkeypatch.delenv("SHOPIFY_API_SECRET")  # the server restarted without its secret
    get_settings.cache_clear()
    shop.token_expires_at = SystemClock().now() + timedelta(minutes=1)
    with pytest.raises(AppNotConfigured):
        ShopifyConnector(shop, http_client=client).api("shop")
    assert len(store.tokens) == 1  # no refresh was sent with a made-up secret
