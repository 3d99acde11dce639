"""Disconnect from the admin and the CLI: webhooks deleted, the key named, data kept or gone.

WooCommerce has no REST route that deletes an API key (keys are made by wc-auth or in
WooCommerce › Settings › Advanced › REST API, and deleted only there), so Reshelf names
the key for the merchant to revoke, the way that page lists it: "…" and its last seven
characters (includes/class-wc-auth.php create_keys, truncated_key).
"""

from __future__ import annotations

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import func, select

from cli.main import main
from connectors.woocommerce import install
from connectors.woocommerce.consts import TOPICS
from core.config import get_settings
from core.enums import Role, ShopStatus
from core.models import Membership, Order, Shop
from sandbox.woocommerce.store import api_hash
from tests.connectors.woocommerce.merchant import PASSWORD, Merchant
from webapp.users import add_user

SETTINGS = "/admin/settings/woocommerce"


@pytest.fixture
def reshelf_config():
    return {"ALLOW_PRIVATE_STORES": True}  # the emulated store listens on 127.0.0.1


@pytest.fixture
def connected(db, reshelf, woo, woo_shop, seed, clock):
    """The shop subscribed to its webhooks with an order mirrored; an owner and an agent."""
    seed()
    install.subscribe(woo_shop, reshelf)
    install.backfill(db, woo_shop, clock)
    add_user(db, "owner@example.com", PASSWORD, woo_shop, Role.OWNER)
    add_user(db, "agent@example.com", PASSWORD, woo_shop, Role.AGENT)
    return woo_shop


def _ours(woo):
    return [h for h in woo[0].dispatcher.webhooks.values() if h.name.startswith("Reshelf")]


def _orders(db, shop):
    return db.scalar(select(func.count(Order.id)).where(Order.shop_id == shop.id))


def _owner(reshelf) -> Merchant:
    owner = Merchant(reshelf)
    assert owner.sign_in("owner@example.com").status_code == 302
    return owner


def test_disconnect_keeping_the_data(db, reshelf, woo, woo_keys, connected):
    assert len(_ours(woo)) == len(TOPICS)
    done = _owner(reshelf).form(SETTINGS, f"{SETTINGS}/disconnect", {"records": "keep"})
    assert done.status_code == 200
    assert f"Reshelf deleted its {len(TOPICS)} webhooks on the store." in done.text
    assert f"Revoke the key …{woo_keys[0][-7:]}</strong>" in done.text
    assert "WooCommerce › Settings › Advanced › REST API" in done.text
    assert _ours(woo) == []
    db.expire_all()
    shop = db.get(Shop, connected.id)
    assert shop.status == ShopStatus.UNINSTALLED
    assert shop.credential("consumer_key") is None  # Reshelf forgets the key it was given
    assert _orders(db, shop) == 1
    # The key still opens the store until the merchant revokes it: hence the message.
    assert api_hash(woo_keys[0]) in woo[0].store.api_keys
    assert requests.get(f"{reshelf}/returns/{shop.key}/", timeout=5).status_code == 404
    again = _owner(reshelf).get(f"{reshelf}{SETTINGS}", timeout=5)
    assert 'id="connection">disconnected<' in again.text


def test_disconnect_deleting_the_data(db, reshelf, woo, connected):
    done = _owner(reshelf).form(SETTINGS, f"{SETTINGS}/disconnect", {"records": "delete"})
    assert done.status_code == 200
    assert "Everything Reshelf held for this store is deleted." in done.text
    db.expire_all()
    assert _orders(db, connected) == 0
    assert (
        db.scalar(select(func.count(Membership.id)).where(Membership.shop_id == connected.id)) == 0
    )
    assert db.get(Shop, connected.id).status == ShopStatus.UNINSTALLED
    assert _ours(woo) == []


def test_a_store_that_refuses_still_gets_disconnected_and_says_what_is_left(
    db, reshelf, woo, woo_keys, connected
):
    store = woo[0].store
    store.delete_key(store.api_keys[api_hash(woo_keys[0])].key_id)
    done = _owner(reshelf).form(SETTINGS, f"{SETTINGS}/disconnect", {"records": "keep"})
    assert done.status_code == 200
    assert "so its webhooks are" in done.text
    assert "WooCommerce › Settings › Advanced › Webhooks" in done.text
    db.expire_all()
    assert db.get(Shop, connected.id).status == ShopStatus.UNINSTALLED


def test_only_an_owner_disconnects_and_must_choose_about_the_data(db, reshelf, woo, connected):
    agent = Merchant(reshelf)
    assert agent.sign_in("agent@example.com").status_code == 302
    token_page = agent.get(f"{reshelf}/admin/", timeout=5)
    token = token_page.text.split('name="csrf_token" value="')[1].split('"')[0]
    refused = agent.post(
        f"{reshelf}{SETTINGS}/disconnect", data={"records": "keep", "csrf_token": token}, timeout=5
    )
    assert refused.status_code == 403
    unchosen = _owner(reshelf).form(SETTINGS, f"{SETTINGS}/disconnect", {})
    assert unchosen.status_code == 400
    assert "Choose whether to keep or delete this store" in unchosen.text
    db.expire_all()
    assert db.get(Shop, connected.id).status == ShopStatus.ACTIVE
    assert len(_ours(woo)) == len(TOPICS)


def test_disconnect_from_the_cli(db, monkeypatch, reshelf, woo, woo_keys, connected):
    monkeypatch.setenv("RESHELF_PUBLIC_URL", reshelf)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            main, ["shop", "disconnect", "woocommerce", "--url", woo[1], "--keep-data"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert f"Deleted {len(TOPICS)} webhooks" in result.output
    assert (
        f"Revoke the key …{woo_keys[0][-7:]} in WooCommerce › Settings › Advanced › REST API"
        in (result.output)
    )
    assert _ours(woo) == []
    db.expire_all()
    assert db.get(Shop, connected.id).status == ShopStatus.UNINSTALLED
    assert _orders(db, connected) == 1
    twice = CliRunner().invoke(
        main, ["shop", "disconnect", "woocommerce", "--url", woo[1], "--keep-data"]
    )
    assert twice.exit_code != 0
    assert "is not a connected WooCommerce store" in twice.output


def test_a_replaced_key_is_named_to_the_merchant(db, reshelf, woo, woo_keys, connected):
    new_key, new_secret = woo[0].store.create_api_key("read_write")
    done = _owner(reshelf).form(
        "/install/woocommerce/",
        "/install/woocommerce/keys",
        {"url": woo[1], "consumer_key": new_key, "consumer_secret": new_secret},
    )
    assert done.url.endswith(SETTINGS)
    assert (
        f"Reshelf now uses the key …{new_key[-7:]}. Revoke the one it replaced, "
        f"…{woo_keys[0][-7:]}, in WooCommerce › Settings › Advanced › REST API" in done.text
    )


def test_a_key_made_by_wc_auth_is_named_with_its_page_on_the_store(db, reshelf, woo):
    owner = Merchant(reshelf)
    assert owner.set_up("owner@example.com").status_code == 302
    assert owner.connect(woo[1]).url.endswith(SETTINGS)
    [key] = woo[0].store.api_keys.values()  # the one wc-auth made for Reshelf
    done = owner.form(SETTINGS, f"{SETTINGS}/disconnect", {"records": "keep"})
    page = f"{woo[1]}/wp-admin/admin.php?page=wc-settings&amp;tab=advanced&amp;section=keys"
    assert f'<a href="{page}&amp;edit-key={key.key_id}">' in done.text
