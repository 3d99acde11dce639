"""A fresh install connects a store from the browser: first owner, connect, the plugin's values.

Over real HTTP against the emulated store: nobody has an account, the first-run page makes
the owner (once, hashed, CSRF-checked, rate-limited), the owner connects the store through
wc-auth and lands on Settings › WooCommerce, whose portal URL and shared secret are the
ones the plugin signs its "Return an item" links with.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import select
from werkzeug.security import check_password_hash

from connectors.woocommerce import portal_link
from core.config import get_settings
from core.enums import Platform, Role
from core.models import Shop, User
from tests.connectors.woocommerce.merchant import PASSWORD, TOKEN, Merchant
from tests.support.live import serve_wsgi
from webapp import create_app
from webapp.limits import limiter
from webapp.users import add_user


def _app(engine, clock, dispatcher, **config):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_ENGINE": engine,
            "CLOCK": clock,
            "DISPATCHER": dispatcher,
            "ALLOW_PRIVATE_STORES": True,  # the emulated store listens on 127.0.0.1
            **config,
        }
    )
    limiter.reset()  # counts left in Redis by earlier tests
    return app


@pytest.fixture
def reshelf(engine, clock, dispatcher):
    """A fresh install on real HTTP: nobody has an account yet."""
    app = _app(engine, clock, dispatcher)
    with serve_wsgi(app) as url:
        app.config["PUBLIC_URL"] = url
        yield url


def _users(db) -> list[User]:
    db.expire_all()
    return list(db.scalars(select(User)))


def test_a_fresh_install_creates_its_owner_and_connects_a_store(db, reshelf, woo, seed):
    order_id = str(seed(email="ann@example.com")["order"]["id"])
    merchant = Merchant(reshelf)
    login = merchant.get(f"{reshelf}/admin/login", timeout=5)
    assert "/admin/setup" in login.text  # the way in is offered where a newcomer lands

    made = merchant.set_up("Owner@Example.com")
    assert made.status_code == 302
    assert made.headers["Location"].endswith("/install/woocommerce/")
    [owner] = _users(db)
    assert owner.email == "owner@example.com"
    assert owner.password_hash != PASSWORD
    assert check_password_hash(owner.password_hash or "", PASSWORD)
    # Signed in, with no shop yet: the admin leads to the connect page.
    assert merchant.get(f"{reshelf}/admin/", timeout=5).url.endswith("/install/woocommerce/")

    settings_page = merchant.connect(woo[1])
    assert settings_page.url == f"{reshelf}/admin/settings/woocommerce"
    db.expire_all()
    shop = db.scalars(select(Shop).where(Shop.platform == Platform.WOOCOMMERCE)).one()
    assert {m.shop_id: m.role for m in _users(db)[0].memberships} == {shop.id: Role.OWNER}
    portal_url = f"{reshelf}/returns/{shop.key}"
    secret = shop.credential("portal_link_secret")
    assert f'id="portal-url" class="secret">{portal_url}<' in settings_page.text
    assert f'id="shared-secret" class="secret">{secret}<' in settings_page.text

    # What the plugin does with those two values: a signed link that opens the order.
    expires = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    link = portal_link.make_link(portal_url, secret, order_id, "ann@example.com", expires)
    opened = requests.get(link, allow_redirects=False, timeout=20)
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/returns/{shop.key}/order")


def test_the_first_run_page_is_gone_once_anyone_has_an_account(db, reshelf, factory):
    first = Merchant(reshelf)
    assert first.set_up("first@example.com").status_code == 302
    stranger = Merchant(reshelf)
    assert stranger.get(f"{reshelf}/admin/setup", timeout=5).status_code == 404
    token = TOKEN.search(stranger.get(f"{reshelf}/admin/login", timeout=5).text).group(1)
    fields = {"email": "second@example.com", "password": PASSWORD, "confirm": PASSWORD}
    again = stranger.post(f"{reshelf}/admin/setup", data={**fields, "csrf_token": token}, timeout=5)
    assert again.status_code == 404
    assert [u.email for u in _users(db)] == ["first@example.com"]


def test_two_first_run_forms_at_once_make_one_account(db, reshelf):
    browsers = [Merchant(reshelf) for _ in range(4)]
    tokens = [
        TOKEN.search(b.get(f"{reshelf}/admin/setup", timeout=5).text).group(1) for b in browsers
    ]
    answers: list[int] = []
    gate = threading.Barrier(len(browsers))

    def post(n: int) -> None:
        fields = {"email": f"owner{n}@example.com", "password": PASSWORD, "confirm": PASSWORD}
        gate.wait()
        answer = browsers[n].post(
            f"{reshelf}/admin/setup",
            data={**fields, "csrf_token": tokens[n]},
            allow_redirects=False,
            timeout=30,
        )
        answers.append(answer.status_code)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [302, 404, 404, 404]
    assert len(_users(db)) == 1


def test_a_bad_first_run_form_says_why_and_stores_nothing(db, reshelf):
    merchant = Merchant(reshelf)
    short = merchant.form(
        "/admin/setup",
        "/admin/setup",
        {"email": "owner@example.com", "password": "short", "confirm": "short"},
    )
    assert short.status_code == 400
    assert "Use at least 12 characters." in short.text
    differ = merchant.form(
        "/admin/setup",
        "/admin/setup",
        {"email": "owner@example.com", "password": PASSWORD, "confirm": PASSWORD + "!"},
    )
    assert "The two passwords differ." in differ.text
    forged = requests.post(
        f"{reshelf}/admin/setup",
        data={"email": "owner@example.com", "password": PASSWORD, "confirm": PASSWORD},
        timeout=5,
    )
    assert forged.status_code == 400  # no CSRF token
    assert _users(db) == []


def test_the_first_run_form_is_rate_limited(db, engine, clock, dispatcher):
    limits = {**get_settings().rate_limits, "first_run_per_ip": "3 per hour"}
    app = _app(engine, clock, dispatcher, RATE_LIMITS=limits)
    with serve_wsgi(app) as url:
        merchant = Merchant(url)
        fields = {"email": "owner@example.com", "password": "short", "confirm": "short"}
        statuses = [
            merchant.form("/admin/setup", "/admin/setup", fields).status_code for _ in range(4)
        ]
    assert statuses == [400, 400, 400, 429]
    assert _users(db) == []


def test_the_connect_page_says_so_when_reshelf_is_not_on_https(
    db, engine, clock, dispatcher, factory
):
    """A real store refuses an http callback (includes/class-wc-auth.php make_validation)."""
    owner_shop = factory.shop()
    app = _app(engine, clock, dispatcher, ALLOW_PRIVATE_STORES=False)
    with serve_wsgi(app) as url:
        app.config["PUBLIC_URL"] = url
        merchant = Merchant(url)
        add_user(db, "owner@example.com", PASSWORD, owner_shop, Role.OWNER)
        assert merchant.sign_in("owner@example.com").status_code == 302
        page = merchant.get(f"{url}/install/woocommerce/", timeout=5)
        assert 'id="needs-https"' in page.text
        assert "The callback_url needs to be over SSL" in page.text
        started = merchant.get(
            f"{url}/install/woocommerce/connect",
            params={"store": "https://shop.example"},
            allow_redirects=False,
            timeout=5,
        )
        assert started.status_code == 400
        assert "Location" not in started.headers  # not sent to a store that would refuse
        assert "is not HTTPS" in started.text
        app.config["PUBLIC_URL"] = "https://returns.example"
        assert 'id="needs-https"' not in merchant.get(f"{url}/install/woocommerce/", timeout=5).text
