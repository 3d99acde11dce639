"""Fixtures: a live Shopify emulator on 127.0.0.1, a seeded shop and a GraphQL helper."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from shopify_app.graphql.admin_graphql import admin_graphql_request

from sandbox.shopify import create_emulator, emulator_client
from tests.support.live import serve_wsgi

API_VERSION = "2026-04"
TOKEN = "shpat_test_token"


@pytest.fixture
def emulator_app():
    app = create_emulator(time_scale=0.0005)
    yield app
    app.extensions["shopify_emulator"].close()


@pytest.fixture
def emulator(emulator_app):
    return emulator_app.extensions["shopify_emulator"]


@pytest.fixture
def seeder(emulator_app):
    return emulator_app.extensions["shopify_seeder"]


@pytest.fixture
def base_url(emulator_app) -> Iterator[str]:
    with serve_wsgi(emulator_app) as url:
        yield url


@pytest.fixture
def client(base_url) -> Iterator[httpx.Client]:
    with emulator_client(base_url) as http:
        yield http


@pytest.fixture
def shop(seeder):
    shop = seeder.shop("acme")
    seeder.static_token(shop, TOKEN)
    return shop


class Admin:
    """Send Admin API GraphQL through shopifyapp, over HTTP, to the emulator."""

    def __init__(self, client: httpx.Client, shop: str = "acme", token: str = TOKEN) -> None:
        self.client, self.shop, self.token = client, shop, token

    def raw(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The whole JSON answer, errors included."""
        result = admin_graphql_request(
            query,
            shop=self.shop,
            access_token=self.token,
            api_version=API_VERSION,
            variables=variables,
            http_client=self.client,
            max_retries=0,
        )
        return json.loads(result.response.body) if result.response.body else {}

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``data`` of a successful answer."""
        answer = self.raw(query, variables)
        assert "errors" not in answer, answer
        data: dict[str, Any] = answer["data"]
        return data


@pytest.fixture
def admin(client, shop) -> Admin:
    return Admin(client)
