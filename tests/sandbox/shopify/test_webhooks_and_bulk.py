"""Webhook delivery (signature, headers, retries) and bulk operations (JSONL over HTTP)."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from flask import Flask, request
from shopify_app import ShopifyApp

from sandbox.shopify import create_emulator, emulator_client
from tests.support.live import serve_wsgi

RUN_BULK = """
mutation($q: String!) {
  bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { message } }
}
"""
BULK_QUERY = "{ orders { edges { node { id name lineItems { edges { node { id sku } } } } } } }"
POLL_BULK = "query($id: ID!) { bulkOperation(id: $id) { status url objectCount } }"


class Receiver:
    """A webhook endpoint that fails the first ``failures`` deliveries."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], str]] = []
        self.app = Flask("receiver")
        self.app.add_url_rule("/hooks", "hooks", self.hook, methods=["POST"])

    def hook(self):
        self.received.append((dict(request.headers), request.get_data(as_text=True)))
        if len(self.received) <= self.failures:
            return "busy", 503
        return "", 200


@pytest.fixture
def wired():
    """An emulator sending webhooks to a live receiver: (seeder, receiver, emulator, url)."""
    receiver = Receiver(failures=2)
    with serve_wsgi(receiver.app) as hooks_url:
        app = create_emulator(webhook_url=f"{hooks_url}/hooks", time_scale=0.0002)
        emulator = app.extensions["shopify_emulator"]
        with serve_wsgi(app) as url:
            yield app.extensions["shopify_seeder"], receiver, emulator, url
        emulator.close()


def test_webhooks_are_signed_and_retried_until_accepted(wired):
    seeder, receiver, emulator, _ = wired
    shop = seeder.shop("acme")
    customer = seeder.customer(shop, "cy@example.com")
    assert emulator.webhooks.drain(timeout=10)
    assert len(receiver.received) == 3  # two failures, then accepted
    headers, body = receiver.received[-1]
    assert headers["X-Shopify-Topic"] == "customers/create"
    assert headers["X-Shopify-Shop-Domain"] == "acme.myshopify.com"
    assert headers["X-Shopify-Api-Version"] == "2026-04"
    assert {receiver.received[i][0]["X-Shopify-Webhook-Id"] for i in range(3)} == {
        headers["X-Shopify-Webhook-Id"]
    }
    verified = ShopifyApp(emulator.app.client_id, emulator.app.client_secret).verify_webhook_req(
        {"method": "POST", "headers": headers, "url": "https://app.example/hooks", "body": body}
    )
    assert verified.ok
    assert verified.shop == "acme"
    assert json.loads(body)["id"] == customer.id


def test_delivery_gives_up_after_eight_retries():
    receiver = Receiver(failures=100)
    with serve_wsgi(receiver.app) as hooks_url:
        app = create_emulator(webhook_url=f"{hooks_url}/hooks", time_scale=0.00002)
        emulator = app.extensions["shopify_emulator"]
        try:
            seeder = app.extensions["shopify_seeder"]
            seeder.customer(seeder.shop("acme"), "dee@example.com")
            assert emulator.webhooks.drain(timeout=20)
            assert len(receiver.received) == 9  # the first try and eight retries
            assert len(emulator.webhooks.failed) == 1
        finally:
            emulator.close()


def test_bulk_operation_writes_jsonl_with_parent_ids(wired):
    seeder, receiver, emulator, url = wired
    shop = seeder.shop("acme")
    seeder.static_token(shop, "tok")
    variant = seeder.product(shop, "Hat", [{"sku": "HAT", "stock": 50}])[0]
    orders = [seeder.order(shop, None, [(variant, 1)]) for _ in range(3)]
    with emulator_client(url) as client:
        from shopify_app.graphql.admin_graphql import admin_graphql_request

        def gql(query, variables=None):
            return admin_graphql_request(
                query,
                shop="acme",
                access_token="tok",
                api_version="2026-04",
                variables=variables,
                http_client=client,
            ).data

        started = gql(RUN_BULK, {"q": BULK_QUERY})
        operation_id = started["bulkOperationRunQuery"]["bulkOperation"]["id"]
        deadline = time.monotonic() + 10
        op = gql(POLL_BULK, {"id": operation_id})["bulkOperation"]
        while op["status"] != "COMPLETED":
            assert time.monotonic() < deadline
            time.sleep(0.05)
            op = gql(POLL_BULK, {"id": operation_id})["bulkOperation"]
        assert op["objectCount"] == "6"
        lines = [json.loads(line) for line in httpx.get(op["url"]).text.splitlines()]
    assert [line["id"] for line in lines if "__parentId" not in line] == [
        f"gid://shopify/Order/{o.id}" for o in orders
    ]
    children = [line for line in lines if "__parentId" in line]
    assert {c["__parentId"] for c in children} == {f"gid://shopify/Order/{o.id}" for o in orders}
    assert emulator.webhooks.drain(timeout=10)
    assert any(h["X-Shopify-Topic"] == "bulk_operations/finish" for h, _ in receiver.received)
