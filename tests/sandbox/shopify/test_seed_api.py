"""The seeding API over HTTP, as the demo and other processes use it."""

from __future__ import annotations

import httpx
from shopify_app.graphql.admin_graphql import admin_graphql_request

from sandbox.shopify import emulator_client


def test_seed_a_shop_over_http_and_read_it_back_through_the_admin_api(base_url, emulator):
    http = httpx.Client(base_url=f"{base_url}/_sandbox")
    shop = http.post("/shops", json={"name": "demo", "plan": "advanced"}).json()
    assert shop["domain"] == "demo.myshopify.com"
    variant = http.post(
        "/shops/demo/products",
        json={
            "title": "Mug",
            "product_type": "Kitchen",
            "variants": [{"sku": "MUG", "price": "9.50", "stock": 7}],
        },
    ).json()["variants"][0]
    customer = http.post("/shops/demo/customers", json={"email": "zoe@example.com"}).json()
    order = http.post(
        "/shops/demo/orders",
        json={
            "customer_id": customer["id"],
            "lines": [{"variant_id": variant["id"], "quantity": 2}],
        },
    ).json()
    assert order["name"] == "#1001"
    stock = http.get("/shops/demo/stock", params={"variant_id": variant["id"]}).json()
    assert stock == {"quantity": 5}
    assert http.post("/shops/demo/tokens", json={"token": "shpat_demo"}).status_code == 201

    with emulator_client(base_url) as client:
        answer = admin_graphql_request(
            "{ orders(first: 5) { nodes { name customer { email } } } }",
            shop="demo",
            access_token="shpat_demo",
            api_version="2026-04",
            http_client=client,
        )
    assert answer.data == {
        "orders": {"nodes": [{"name": "#1001", "customer": {"email": "zoe@example.com"}}]}
    }
    assert answer.extensions is not None
    assert answer.extensions["cost"]["throttleStatus"]["restoreRate"] == 200  # the Advanced plan

    order_id = order["id"].rsplit("/", 1)[1]
    line_id = order["line_items"][0].rsplit("/", 1)[1]
    requested = http.post(
        f"/shops/demo/orders/{order_id}/returns", json={"lines": {line_id: 1}}
    ).json()
    assert requested["status"] == "REQUESTED"
    assert http.post("/shops/demo/uninstall").status_code == 200
    assert emulator.shops["demo"].installed is False


def test_unknown_shop_is_404(base_url):
    assert (
        httpx.post(
            f"{base_url}/_sandbox/shops/nobody/customers", json={"email": "a@b.c"}
        ).status_code
        == 404
    )
