"""The seeding API over HTTP (``/_sandbox/...``), for the demo and for other processes.

Every endpoint takes and gives JSON and answers with Shopify global ids.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request

from sandbox.shopify import state as st
from sandbox.shopify.connections import gid, parse_gid
from sandbox.shopify.demo import seed_demo_store
from sandbox.shopify.emulator import Emulator
from sandbox.shopify.seeding import Seeder

seed_api = Blueprint("shopify_seed_api", __name__)


def _seeder() -> Seeder:
    seeder: Seeder = current_app.extensions["shopify_seeder"]
    return seeder


def _shop(name: str) -> st.Shop:
    emulator: Emulator = current_app.extensions["shopify_emulator"]
    try:
        return emulator.shop(name)
    except KeyError:
        abort(404)


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@seed_api.post("/shops")
def create_shop() -> tuple[Response, int]:
    """Open a shop: ``{"name": "acme", "plan": "standard"}``."""
    body = _body()
    shop = _seeder().shop(body["name"], body.get("plan", "standard"), body.get("currency", "USD"))
    return jsonify(domain=shop.domain, locations=[gid("Location", i) for i in shop.locations]), 201


@seed_api.post("/shops/<name>/locations")
def create_location(name: str) -> tuple[Response, int]:
    """Add a location: ``{"name": "Store"}``."""
    location = _seeder().location(_shop(name), _body()["name"])
    return jsonify(id=gid("Location", location.id)), 201


@seed_api.post("/shops/<name>/products")
def create_product(name: str) -> tuple[Response, int]:
    """Add a product: ``{"title", "product_type", "tags", "collections", "variants": [...]}``."""
    body = _body()
    variants = _seeder().product(
        _shop(name),
        body["title"],
        body.get("variants") or [{}],
        body.get("product_type", ""),
        body.get("tags") or [],
        body.get("collections") or [],
    )
    return jsonify(
        variants=[
            {
                "id": gid("ProductVariant", v.id),
                "inventory_item_id": gid("InventoryItem", v.inventory_item_id),
                "sku": v.sku,
            }
            for v in variants
        ]
    ), 201


@seed_api.post("/shops/<name>/customers")
def create_customer(name: str) -> tuple[Response, int]:
    """Add a customer: ``{"email", "first_name", "last_name", "tags"}``."""
    body = _body()
    customer = _seeder().customer(
        _shop(name),
        body["email"],
        body.get("first_name", ""),
        body.get("last_name", ""),
        body.get("tags") or [],
    )
    return jsonify(id=gid("Customer", customer.id)), 201


@seed_api.post("/shops/<name>/orders")
def create_order(name: str) -> tuple[Response, int]:
    """Place an order: ``{"customer_id", "lines": [{"variant_id", "quantity"}], "fulfil"}``."""
    shop, body = _shop(name), _body()
    customer = (
        shop.customers.get(parse_gid(body["customer_id"], "Customer"))
        if body.get("customer_id")
        else None
    )
    lines = [
        (shop.variants[parse_gid(line["variant_id"], "ProductVariant")], int(line["quantity"]))
        for line in body["lines"]
    ]
    order = _seeder().order(
        shop, customer, lines, body.get("shipping_country", "US"), bool(body.get("fulfil", True))
    )
    return jsonify(
        id=gid("Order", order.id),
        name=order.name,
        line_items=[gid("LineItem", li.id) for li in order.line_items],
    ), 201


@seed_api.post("/shops/<name>/orders/<int:order_id>/fulfillments")
def fulfil_order(name: str, order_id: int) -> tuple[Response, int]:
    """Fulfil an unfulfilled order from its first location."""
    shop = _shop(name)
    fulfillment = _seeder().fulfil(shop, shop.orders[order_id])
    return jsonify(id=gid("Fulfillment", fulfillment.id)), 201


@seed_api.post("/shops/<name>/orders/<int:order_id>/returns")
def request_return(name: str, order_id: int) -> tuple[Response, int]:
    """A shopper requests a return in Shopify: ``{"lines": {"<line item id>": quantity}}``."""
    shop = _shop(name)
    quantities = {int(k): int(v) for k, v in _body()["lines"].items()}
    ret = _seeder().request_return(shop, shop.orders[order_id], quantities)
    return jsonify(id=gid("Return", ret.id), status=ret.status), 201


@seed_api.post("/shops/<name>/tokens")
def add_token(name: str) -> tuple[Response, int]:
    """Register a custom app's non-expiring token: ``{"token": "shpat_..."}``."""
    _seeder().static_token(_shop(name), _body()["token"])
    return jsonify(ok=True), 201


@seed_api.post("/shops/<name>/id_token")
def id_token(name: str) -> Response:
    """Mint an App Bridge session token for the shop."""
    return jsonify(id_token=_seeder().id_token(_shop(name)))


@seed_api.post("/shops/<name>/uninstall")
def uninstall(name: str) -> Response:
    """Uninstall the app from the shop."""
    _seeder().uninstall(_shop(name))
    return jsonify(ok=True)


@seed_api.get("/shops/<name>/stock")
def stock(name: str) -> Response:
    """A variant's quantity: ``?variant_id=gid&location_id=gid&name=available``."""
    shop = _shop(name)
    variant = shop.variants[parse_gid(request.args["variant_id"], "ProductVariant")]
    location = (
        shop.locations[parse_gid(request.args["location_id"], "Location")]
        if request.args.get("location_id")
        else None
    )
    return jsonify(
        quantity=_seeder().stock(shop, variant, location, request.args.get("name", "available"))
    )


@seed_api.post("/shops/<name>/orders/<int:order_id>/cancel")
def cancel_order(name: str, order_id: int) -> Response:
    """Cancel an order."""
    shop = _shop(name)
    _seeder().cancel_order(shop, shop.orders[order_id])
    return jsonify(ok=True)


@seed_api.post("/shops/<name>/compliance")
def compliance(name: str) -> Response:
    """Send a privacy webhook: ``{"topic": "customers/redact", "customer_id": gid}``."""
    shop, body = _shop(name), _body()
    customer_id = body.get("customer_id")
    customer = shop.customers[parse_gid(customer_id, "Customer")] if customer_id else None
    _seeder().compliance(shop, body["topic"], customer)
    return jsonify(ok=True)


@seed_api.post("/app")
def configure_app() -> Response:
    """Point the app's webhooks somewhere: ``{"webhook_url": "...", "topics": [...] | null}``."""
    emulator: Emulator = current_app.extensions["shopify_emulator"]
    body = _body()
    emulator.app.webhook_url = body.get("webhook_url")
    topics = body.get("topics")
    emulator.app.topics = set(topics) if topics is not None else None
    return jsonify(webhook_url=emulator.app.webhook_url)


@seed_api.post("/webhooks/drain")
def drain_webhooks() -> Response:
    """Wait (up to ``timeout`` seconds) until every webhook is delivered or given up."""
    emulator: Emulator = current_app.extensions["shopify_emulator"]
    done = emulator.webhooks.drain(float(_body().get("timeout", 10)))
    return jsonify(drained=done, failed=len(emulator.webhooks.failed))


@seed_api.post("/demo")
def demo_store() -> tuple[Response, int]:
    """Open the demo store: ``{"name": "reshelf-demo", "token": "shpat_demo"}`` (both optional)."""
    body = _body()
    store = seed_demo_store(
        _seeder(), body.get("name", "reshelf-demo"), body.get("token", "shpat_demo")
    )
    return jsonify(
        domain=store.domain,
        access_token=store.access_token,
        api_secret=store.api_secret,
        shopper_email=store.shopper_email,
    ), 201
