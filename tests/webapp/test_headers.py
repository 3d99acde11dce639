"""Security headers: the policy on every page, framing only by the shop's own Shopify admin."""

from __future__ import annotations

import pytest

from connectors.shopify.client import ENV_VAR
from core.config import get_settings
from tests.sandbox.shopify.conftest import base_url, emulator, emulator_app, seeder
from webapp import create_app

__all__ = ["base_url", "emulator", "emulator_app", "seeder"]


def _policy(answer) -> dict[str, str]:
    """The Content-Security-Policy header as {directive: sources}."""
    header = answer.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy"
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def _assert_page_headers(answer) -> None:
    """The headers every page Reshelf renders carries."""
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    policy = _policy(answer)
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"]  # an inline script would be blocked
    assert "'unsafe-inline'" not in policy.get("style-src", "")
    assert answer.headers["X-Frame-Options"] == "DENY"


def test_portal_page_has_the_headers(client, store):
    answer = client.get(f"/returns/{store.shop.key}/")
    assert answer.status_code == 200
    _assert_page_headers(answer)


def test_login_page_has_the_headers(client):
    answer = client.get("/admin/login")
    assert answer.status_code == 200
    _assert_page_headers(answer)


def test_admin_page_has_the_headers(admin, client):
    answer = client.get("/admin/")
    assert answer.status_code == 200
    _assert_page_headers(answer)


def test_the_stylesheet_the_pages_use_is_allowed(client):
    page = client.get("/admin/login")
    assert "'self'" in _policy(page)["style-src"]
    assert 'href="/static/style.css"' in page.get_data(as_text=True)  # same origin, no inline


def test_inline_scripts_need_the_pages_nonce(client):
    sources = _policy(client.get("/admin/login"))["script-src"].split()
    nonces = [s for s in sources if s.startswith("'nonce-")]
    assert len(nonces) == 1
    again = _policy(client.get("/admin/login"))["script-src"]
    assert nonces[0] not in again  # a new one each response, so a page's nonce cannot be reused


@pytest.fixture
def https_site(monkeypatch):
    """Settings saying Reshelf is served at an https address."""
    monkeypatch.setenv("RESHELF_PUBLIC_URL", "https://returns.example")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_hsts_on_an_https_site(https_site, engine, db):
    client = create_app({"TESTING": True, "DATABASE_ENGINE": engine}).test_client()
    answer = client.get("/admin/login", base_url="https://returns.example")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    # Behind a TLS proxy that says so; no redirect to https from Reshelf itself.
    proxied = client.get("/admin/login", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200
    assert "Strict-Transport-Security" in proxied.headers


def test_no_hsts_and_no_redirect_on_an_http_site(client):
    answer = client.get("/admin/login", base_url="https://127.0.0.1:5000")
    assert "Strict-Transport-Security" not in answer.headers
    assert client.get("/admin/login").status_code == 200  # plain http is served, not redirected


def test_webhook_answers_skip_the_headers(client, store):
    answer = client.post(f"/webhooks/woocommerce/{store.shop.key}", data=b"{}")
    assert "Content-Security-Policy" not in answer.headers  # nothing to render; the path is hot


@pytest.fixture
def public_app(monkeypatch, emulator, base_url):
    """Reshelf as the emulator's public Shopify app."""
    monkeypatch.setenv("SHOPIFY_API_KEY", emulator.app.client_id)
    monkeypatch.setenv("SHOPIFY_API_SECRET", emulator.app.client_secret)
    monkeypatch.setenv(ENV_VAR, base_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_embedded_app_home_may_be_framed_by_its_shops_admin_only(client, seeder, public_app):
    store = seeder.shop("newshop")
    answer = client.get(
        f"/shopify?shop={store.domain}&host=YWRtaW4&embedded=1&id_token={seeder.id_token(store)}"
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    policy = _policy(answer)
    assert policy["frame-ancestors"] == "https://newshop.myshopify.com https://admin.shopify.com"
    assert policy["default-src"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "X-Frame-Options" not in answer.headers  # it cannot name an allowed frame parent
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_patch_page_frames_nothing_for_a_shop_that_is_not_a_shop(client, public_app):
    bogus = "evil.example%20https://attacker.example"
    answer = client.get(f"/shopify/patch-id-token?shop={bogus}&shopify-reload=/shopify")
    assert _policy(answer)["frame-ancestors"] == "'none'"


def test_patch_page_loads_app_bridge_for_a_real_shop(client, public_app):
    answer = client.get("/shopify/patch-id-token?shop=acme.myshopify.com&shopify-reload=/shopify")
    assert answer.status_code == 200
    policy = _policy(answer)
    assert policy["frame-ancestors"] == "https://acme.myshopify.com https://admin.shopify.com"
    assert "https://cdn.shopify.com" in policy["script-src"]
    assert "cdn.shopify.com/shopifycloud/app-bridge.js" in answer.get_data(as_text=True)
