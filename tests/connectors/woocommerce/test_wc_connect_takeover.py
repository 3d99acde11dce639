"""Nobody gets or rewires a WooCommerce shop that is not theirs through the connect flow.

Shop B is connected to the emulated store and owned by b-owner; shop A (another tenant)
has an owner, an agent and a warehouse user. Every variant of the takeover is tried over
real HTTP: another tenant's user, a replayed token, forged callbacks, a token used from
another session, and the manual-keys form.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from connectors.woocommerce import install
from core.enums import Platform, Role
from core.models import Membership, Shop, User
from sandbox.woocommerce import create_emulator
from tests.support.live import serve_wsgi
from webapp import create_app
from webapp.users import add_user

PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def tenants(db, factory, woo, woo_keys, clock):
    """Shop B on the emulated store (b-owner), and shop A with its owner, agent, warehouse."""
    shop_b = install.save_shop(db, woo[1], woo_keys[0], woo_keys[1], clock)
    add_user(db, "b-owner@example.com", PASSWORD, shop_b, Role.OWNER)
    shop_a = factory.shop(name="A")
    for role in (Role.OWNER, Role.AGENT, Role.WAREHOUSE):
        add_user(db, f"a-{role.value}@example.com", PASSWORD, shop_a, role)
    db.add(User(email="newcomer@example.com", password_hash=generate_password_hash(PASSWORD)))
    db.commit()
    return {"a": shop_a, "b": shop_b, "b_keys": woo_keys}


@pytest.fixture
def reshelf(engine, clock, dispatcher):
    """Reshelf on real HTTP (the emulated store is on 127.0.0.1, so private stores are on)."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_ENGINE": engine,
            "CLOCK": clock,
            "DISPATCHER": dispatcher,
            "ALLOW_PRIVATE_STORES": True,
        }
    )
    with serve_wsgi(app) as url:
        app.config["PUBLIC_URL"] = url
        yield url


def _browser(url: str, email: str) -> requests.Session:
    """A browser of its own, signed in as ``email``."""
    browser = requests.Session()
    page = browser.get(f"{url}/admin/login", timeout=5).text
    signed_in = browser.post(
        f"{url}/admin/login",
        data={"email": email, "password": PASSWORD, "csrf_token": TOKEN.search(page).group(1)},
        allow_redirects=False,
        timeout=5,
    )
    assert signed_in.status_code == 302
    return browser


def _start(browser: requests.Session, url: str, store: str) -> requests.Response:
    """Open the connect start without following the redirect to the store."""
    return browser.get(
        f"{url}/install/woocommerce/connect",
        params={"store": store},
        allow_redirects=False,
        timeout=10,
    )


def _token(started: requests.Response) -> str:
    """The connect token the start put in the store's approve URL."""
    return parse_qs(urlparse(started.headers["Location"]).query)["user_id"][0]


def _approve(started: requests.Response) -> requests.Response:
    """Press Approve on the store (its server posts the keys); the redirect back, unfollowed."""
    page = requests.get(started.headers["Location"], timeout=10)
    link = re.search(r'wc-auth-approve" href="([^"]+)"', page.text).group(1)
    return requests.get(html.unescape(link), allow_redirects=False, timeout=20)


def _callback(url: str, token: str, keys: tuple[str, str]) -> requests.Response:
    """A key callback as anyone can post it."""
    body = {
        "key_id": 99,
        "user_id": token,
        "consumer_key": keys[0],
        "consumer_secret": keys[1],
        "key_permissions": "read_write",
    }
    return requests.post(f"{url}/install/woocommerce/callback", json=body, timeout=10)


def _return(browser: requests.Session, url: str, token: str) -> requests.Response:
    return browser.get(
        f"{url}/install/woocommerce/return",
        params={"success": "1", "user_id": token},
        allow_redirects=False,
        timeout=20,
    )


def _roles_in(db, shop: Shop, email: str) -> set[Role]:
    db.expire_all()
    query = (
        select(Membership.role).join(User).where(User.email == email, Membership.shop_id == shop.id)
    )
    return set(db.scalars(query))


def _b_keys(db, tenants) -> str | None:
    db.expire_all()
    shop: Shop = db.get(Shop, tenants["b"].id)
    return shop.credential("consumer_key")


@pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.AGENT, Role.OWNER])
def test_another_tenants_user_cannot_take_over_shop_b(db, reshelf, woo, tenants, role):
    email = f"a-{role.value}@example.com"
    attacker = _browser(reshelf, email)
    started = _start(attacker, reshelf, woo[1])
    assert started.status_code == 403
    assert "only its owner" in started.text
    assert "Location" not in started.headers
    # The old attack, with a token made up in its place: nothing of B changes.
    assert _callback(reshelf, "made-up", ("ck_attacker", "cs_attacker")).status_code == 400
    assert _return(attacker, reshelf, "made-up").status_code == 400
    assert _roles_in(db, tenants["b"], email) == set()
    assert _b_keys(db, tenants) == tenants["b_keys"][0]


def test_the_owner_reconnects_and_a_replayed_token_is_refused(db, reshelf, woo, tenants):
    owner = _browser(reshelf, "b-owner@example.com")
    started = _start(owner, reshelf, woo[1])
    token = _token(started)
    back = _approve(started)
    assert back.status_code == 302
    done = owner.get(back.headers["Location"], allow_redirects=False, timeout=20)
    assert done.status_code == 302
    reconnected = _b_keys(db, tenants)
    assert reconnected != tenants["b_keys"][0]  # the new keys the store posted
    # The same token again: a second callback and a second return are both refused.
    assert _callback(reshelf, token, ("ck_replayed", "cs_replayed")).status_code == 400
    assert _return(owner, reshelf, token).status_code == 400
    assert _b_keys(db, tenants) == reconnected


def test_forged_callbacks_are_refused(db, reshelf, woo, tenants, clock):
    assert _callback(reshelf, "made-up", ("ck_x", "cs_x")).status_code == 400
    owner = _browser(reshelf, "b-owner@example.com")
    stale = _token(_start(owner, reshelf, woo[1]))
    clock.advance(hours=1)
    assert _callback(reshelf, stale, ("ck_x", "cs_x")).status_code == 400
    assert _return(owner, reshelf, stale).status_code == 400
    assert _b_keys(db, tenants) == tenants["b_keys"][0]


def test_a_live_token_with_another_stores_keys_changes_nothing(db, reshelf, woo, tenants):
    other_app = create_emulator(insecure_callbacks=True)
    other = other_app.extensions["wc_emulator"]
    with serve_wsgi(other_app) as other_url:
        elsewhere = other.store.create_api_key("read_write")
        owner = _browser(reshelf, "b-owner@example.com")
        token = _token(_start(owner, reshelf, woo[1]))
        # Keys that work, but on another store, posted under B's live token before B's own.
        assert _callback(reshelf, token, elsewhere).status_code == 200
        refused = _return(owner, reshelf, token)
        assert refused.status_code == 400
        assert "refused these keys" in refused.text
        # An owner of A connecting its own new store gets nothing of B either.
        a_owner = _browser(reshelf, "a-owner@example.com")
        a_token = _token(_start(a_owner, reshelf, other_url))
        assert _callback(reshelf, a_token, ("ck_attacker", "cs_attacker")).status_code == 200
        assert _return(a_owner, reshelf, a_token).status_code == 400  # keys don't work there
    other.dispatcher.stop()
    assert _b_keys(db, tenants) == tenants["b_keys"][0]
    assert _roles_in(db, tenants["b"], "a-owner@example.com") == set()
    stores = db.scalars(select(Shop.domain).where(Shop.platform == Platform.WOOCOMMERCE))
    assert list(stores) == [woo[1]]  # the refused connect left no shop behind


def test_a_token_used_from_another_session_is_refused(db, reshelf, woo, tenants):
    owner = _browser(reshelf, "b-owner@example.com")
    started = _start(owner, reshelf, woo[1])
    token = _token(started)
    back = _approve(started)
    same_user_elsewhere = _browser(reshelf, "b-owner@example.com")
    another_user = _browser(reshelf, "a-warehouse@example.com")
    assert _return(same_user_elsewhere, reshelf, token).status_code == 400
    assert _return(another_user, reshelf, token).status_code == 400
    assert _roles_in(db, tenants["b"], "a-warehouse@example.com") == set()
    assert _b_keys(db, tenants) == tenants["b_keys"][0]
    # The session that started it can still finish it.
    assert owner.get(back.headers["Location"], allow_redirects=False, timeout=20).status_code == 302
    assert _b_keys(db, tenants) != tenants["b_keys"][0]


def _post_keys(browser, url, store, keys):
    page = browser.get(f"{url}/install/woocommerce/", timeout=5).text
    return browser.post(
        f"{url}/install/woocommerce/keys",
        data={
            "url": store,
            "consumer_key": keys[0],
            "consumer_secret": keys[1],
            "csrf_token": TOKEN.search(page).group(1),
        },
        allow_redirects=False,
        timeout=20,
    )


@pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.AGENT, Role.OWNER])
def test_manual_keys_never_replace_another_tenants_keys(db, reshelf, woo, tenants, role):
    working = woo[0].store.create_api_key("read_write")  # even keys that work on B
    email = f"a-{role.value}@example.com"
    refused = _post_keys(_browser(reshelf, email), reshelf, woo[1], working)
    assert refused.status_code == 403
    assert 'name="consumer_key"' in refused.text  # the form again, with the reason
    assert _roles_in(db, tenants["b"], email) == set()
    assert _b_keys(db, tenants) == tenants["b_keys"][0]


def test_b_owner_replaces_keys_by_hand(db, reshelf, woo, tenants):
    working = woo[0].store.create_api_key("read_write")
    done = _post_keys(_browser(reshelf, "b-owner@example.com"), reshelf, woo[1], working)
    assert done.status_code == 302
    assert _b_keys(db, tenants) == working[0]


def test_only_owners_and_newcomers_add_a_new_store(db, reshelf, tenants):
    other_app = create_emulator(insecure_callbacks=True)
    with serve_wsgi(other_app) as other_url:
        warehouse = _browser(reshelf, "a-warehouse@example.com")
        assert _start(warehouse, reshelf, other_url).status_code == 403
        newcomer = _browser(reshelf, "newcomer@example.com")
        started = _start(newcomer, reshelf, other_url)
        assert started.status_code == 302
        back = _approve(started)
        assert newcomer.get(back.headers["Location"], allow_redirects=False, timeout=20)
    other_app.extensions["wc_emulator"].dispatcher.stop()
    shop = db.scalars(select(Shop).where(Shop.domain == other_url)).one()
    assert _roles_in(db, shop, "newcomer@example.com") == {Role.OWNER}
