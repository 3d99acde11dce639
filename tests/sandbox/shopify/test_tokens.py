"""Token exchange, refresh, expiring offline tokens and 401 on a dead token, via shopifyapp."""

from __future__ import annotations

import time

from shopify_app import ShopifyApp
from shopify_app.graphql.admin_graphql import admin_graphql_request

from sandbox.shopify import create_emulator, emulator_client
from tests.support.live import serve_wsgi


def _app(emulator):
    return ShopifyApp(emulator.app.client_id, emulator.app.client_secret)


def _exchange(emulator, seeder, shop, client):
    id_token = seeder.id_token(shop)
    claims = {"dest": f"https://{shop.domain}", "aud": emulator.app.client_id}
    return _app(emulator).exchange_using_token_exchange(
        "offline",
        id_token={"exchangeable": True, "token": id_token, "claims": claims},
        http_client=client,
    )


def _query(client, token):
    return admin_graphql_request(
        "{ shop { name } }",
        shop="acme",
        access_token=token,
        api_version="2026-04",
        http_client=client,
        max_retries=0,
    )


def test_token_exchange_issues_an_expiring_offline_token(emulator, seeder, client):
    shop = seeder.shop("acme")
    result = _exchange(emulator, seeder, shop, client)
    assert result.ok, result.log
    assert result.access_token.expires is not None
    assert result.access_token.refresh_token
    assert _query(client, result.access_token.token).data == {"shop": {"name": "acme"}}


def test_forged_id_token_is_refused(emulator, seeder, client):
    shop = seeder.shop("acme")
    result = ShopifyApp(
        emulator.app.client_id, emulator.app.client_secret
    ).exchange_using_token_exchange(
        "offline",
        id_token={
            "exchangeable": True,
            "token": "not.a.jwt",
            "claims": {"dest": f"https://{shop.domain}"},
        },
        http_client=client,
    )
    assert not result.ok
    assert result.log.code == "invalid_subject_token"


def test_expired_token_gets_401_and_refresh_brings_a_new_one():
    app = create_emulator(token_seconds=1)
    emulator = app.extensions["shopify_emulator"]
    seeder = app.extensions["shopify_seeder"]
    try:
        with serve_wsgi(app) as url, emulator_client(url) as client:
            shop = seeder.shop("acme")
            granted = _exchange(emulator, seeder, shop, client).access_token
            time.sleep(1.1)
            stale = _query(client, granted.token)
            assert stale.response.status == 401
            refreshed = _app(emulator).refresh_token_exchanged_access_token(
                granted, http_client=client
            )
            assert refreshed.ok, refreshed.log
            assert refreshed.access_token.token != granted.token
            assert _query(client, refreshed.access_token.token).ok
    finally:
        emulator.close()


def test_uninstall_kills_tokens(admin, seeder, shop):
    assert admin.raw("{ shop { name } }")["data"]["shop"]["name"] == "acme"
    seeder.uninstall(shop)
    assert _query(admin.client, admin.token).response.status == 401
