"""Reshelf calls only stores: public https hosts, unless private stores are allowed.

The connect start and the manual-keys form check the address (every address the host
resolves to) before any request, answer 400 with the form again, and a connect that
fails leaves no shop behind.
"""

from __future__ import annotations

import json
import re
import socket

import pytest
from sqlalchemy import func, select

from connectors.woocommerce.client import WooClient
from connectors.woocommerce.errors import WooFatalError
from connectors.woocommerce.store_address import StoreAddressRefused, check_store_address
from core.config import load_settings
from core.enums import Role
from core.models import Shop
from tests.support.live import serve_wsgi
from webapp import create_app
from webapp.users import add_user

PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8983/solr",
        "https://127.0.0.1:8983/",
        "https://localhost/",
        "https://10.1.2.3/",
        "https://192.168.0.10/",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/",
        "https://[::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[fe80::1]/",
        "https://0.0.0.0/",
        "https://224.0.0.1/",
        "http://93.184.215.14/",  # public, but not https
        "https://user:pass@93.184.215.14/",
        "ftp://93.184.215.14/",
        "not a url",
    ],
)
def test_private_or_odd_addresses_are_refused(url):
    with pytest.raises(StoreAddressRefused):
        check_store_address(url, allow_private=False)


def test_a_public_https_address_passes_normalised():
    assert check_store_address("https://93.184.215.14/shop/", allow_private=False) == (
        "https://93.184.215.14/shop"
    )


def test_every_resolved_address_must_be_public(monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host == "mixed.example":  # one public and one private address
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(StoreAddressRefused, match="not a public address"):
        check_store_address("https://mixed.example", allow_private=False)


def test_an_unknown_host_is_refused_clearly():
    with pytest.raises(StoreAddressRefused, match="could not be found"):
        check_store_address("https://no-such-store.invalid", allow_private=False)


def test_the_setting_allows_private_stores_and_http():
    url = "http://127.0.0.1:8983/"
    assert check_store_address(url, allow_private=True) == "http://127.0.0.1:8983"


def test_the_setting_is_off_unless_turned_on(monkeypatch):
    monkeypatch.delenv("RESHELF_ALLOW_PRIVATE_STORES", raising=False)
    assert load_settings().allow_private_stores is False
    monkeypatch.setenv("RESHELF_ALLOW_PRIVATE_STORES", "1")
    assert load_settings().allow_private_stores is True


class NotAStore:
    """A server on the machine's own network that counts every request it gets."""

    def __init__(self) -> None:
        self.hits: list[str] = []

    def __call__(self, environ, start_response):
        self.hits.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps([]).encode()]  # an empty list to every question


@pytest.fixture
def internal():
    """The internal server and its URL."""
    server = NotAStore()
    with serve_wsgi(server) as url:
        yield server, url


def _reshelf(engine, clock, dispatcher, allow_private):
    return create_app(
        {
            "TESTING": True,
            "DATABASE_ENGINE": engine,
            "CLOCK": clock,
            "DISPATCHER": dispatcher,
            "ALLOW_PRIVATE_STORES": allow_private,
        }
    )


@pytest.fixture
def signed_in(db, factory):
    """A signed-in owner of some shop, who may connect a new store."""
    add_user(db, "owner@example.com", PASSWORD, factory.shop(), Role.OWNER)

    def sign_in(app):
        client = app.test_client()
        page = client.get("/admin/login").text
        client.post(
            "/admin/login",
            data={"email": "owner@example.com", "password": PASSWORD, "csrf_token": _token(page)},
        )
        return client

    return sign_in


def _token(page: str) -> str:
    return TOKEN.search(page).group(1)


def _post_keys(client, url, keys=("ck_x", "cs_y")):
    page = client.get("/install/woocommerce/").text
    data = {"url": url, "consumer_key": keys[0], "consumer_secret": keys[1]}
    return client.post("/install/woocommerce/keys", data={**data, "csrf_token": _token(page)})


def _shops(db) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count(Shop.id))))


def test_keys_for_an_internal_address_are_refused_before_any_call(
    db, engine, clock, dispatcher, internal, signed_in
):
    server, url = internal
    client = signed_in(_reshelf(engine, clock, dispatcher, allow_private=False))
    before = _shops(db)
    refused = _post_keys(client, f"{url}/")
    assert refused.status_code == 400
    assert "https://" in refused.text
    assert 'name="consumer_key"' in refused.text  # the form again
    https = _post_keys(client, url.replace("http://", "https://"))
    assert https.status_code == 400
    assert "not a public address" in https.text
    assert server.hits == []
    assert _shops(db) == before


def test_the_connect_start_refuses_an_internal_address(
    db, engine, clock, dispatcher, internal, signed_in
):
    server, url = internal
    client = signed_in(_reshelf(engine, clock, dispatcher, allow_private=False))
    refused = client.get("/install/woocommerce/connect", query_string={"store": url})
    assert refused.status_code == 400
    assert "Location" not in refused.headers
    assert server.hits == []


def test_a_failed_connect_leaves_no_shop_behind(
    db, engine, clock, dispatcher, internal, signed_in, woo
):
    _, not_a_store = internal
    client = signed_in(_reshelf(engine, clock, dispatcher, allow_private=True))
    with socket.socket() as closed:  # a port nobody listens on: the store is unreachable
        closed.bind(("127.0.0.1", 0))
        unreachable = f"http://127.0.0.1:{closed.getsockname()[1]}"
    before = _shops(db)
    for url in (woo[1], unreachable, not_a_store):  # wrong keys, no answer, not WooCommerce
        answer = _post_keys(client, url)
        assert answer.status_code == 400, url
        assert "The store refused these keys" in answer.text
    assert _shops(db) == before


def test_a_store_that_redirects_is_not_followed_to_the_other_address():
    """A checked address that answers a redirect does not get our keys sent elsewhere."""
    reached: list[str] = []

    def internal(environ, start_response):
        reached.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"[]"]

    with serve_wsgi(internal) as target:

        def redirecting(environ, start_response):
            location = target + environ["PATH_INFO"]
            start_response("302 Found", [("Location", location), ("Content-Length", "0")])
            return [b""]

        with serve_wsgi(redirecting) as store:
            client = WooClient(store, "ck_test", "cs_test")
            with pytest.raises(WooFatalError, match="302"):
                client.get("products")
            with pytest.raises(WooFatalError, match="302"):
                client.namespaces()
    assert reached == []
