"""A shopper's account page on the emulated storefront, and the app proxy behind its button.

The page stands in for the theme's order page with Reshelf's theme app block
(manifests/shopify/extensions/return-button/blocks/return_button.liquid): each order gets a
"Return an item" link to the app proxy path ``/apps/returns?order=NUMBER&email=EMAIL``.

A browser on 127.0.0.1 cannot reach ``NAME.myshopify.com``, so the storefront lives under
``/storefront/NAME/``. The app proxy adds Shopify's signed parameters (``shop``,
``logged_in_customer_id``, ``path_prefix``, ``timestamp``, ``signature``:
https://shopify.dev/docs/apps/build/online-store/display-dynamic-data) to the app's proxy
URL. Shopify fetches that URL and serves the answer on the shop's domain, without cookies;
the emulator redirects the browser to it instead, so the portal keeps its session cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, request, url_for
from werkzeug.wrappers import Response

from sandbox.shopify.emulator import Emulator
from sandbox.shopify.state import Order, Shop

bp = Blueprint("shopify_storefront", __name__, url_prefix="/storefront/<name>")
PROXY_PREFIX = "/apps/returns"  # the [app_proxy] prefix and subpath of shopify.app.toml


@dataclass
class StorefrontSettings:
    """Who is signed in to the storefront, and where the app proxy forwards to."""

    shopper_email: str | None = None
    proxy_url: str | None = None


def proxy_signature(secret: str, params: dict[str, str]) -> str:
    """Shopify's app proxy signature: sorted ``key=value`` pairs, joined, HMAC-SHA256 hex."""
    message = "".join(f"{key}={params[key]}" for key in sorted(params))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _emulator() -> Emulator:
    emulator: Emulator = current_app.extensions["shopify_emulator"]
    return emulator


def _settings() -> StorefrontSettings:
    settings: StorefrontSettings = current_app.extensions["shopify_storefront"]
    return settings


def _shop(name: str) -> Shop:
    try:
        return _emulator().shop(name)
    except KeyError:
        abort(404)


def _shopper_id(shop: Shop) -> int | None:
    email = _settings().shopper_email
    return next((c.id for c in shop.customers.values() if c.email == email), None)


@bp.get("/account")
def account(name: str) -> str:
    """The signed-in shopper's orders, each with the theme block's "Return an item" link."""
    shop, settings = _shop(name), _settings()
    shopper = _shopper_id(shop)
    with shop.lock:
        orders = [o for o in shop.orders.values() if shopper and o.customer_id == shopper]
        rows = "".join(_order_row(name, order) for order in reversed(orders))
    who = escape(settings.shopper_email or "nobody")
    return (
        f"<!doctype html><title>{escape(shop.name)}: your orders</title>"
        f"<h1>{escape(shop.name)}</h1><p>Signed in as {who}.</p><h2>Your orders</h2>"
        f"<table><tr><th>Order</th><th>Placed</th><th>Items</th><th></th></tr>{rows}</table>"
    )


def _order_row(name: str, order: Order) -> str:
    # What return_button.liquid renders: the proxy path with the order number and email.
    query = urlencode({"order": order.name.lstrip("#"), "email": order.email})
    link = f"{url_for('shopify_storefront.app_proxy', name=name)}?{query}"
    items = ", ".join(f"{line.quantity} × {line.title}" for line in order.line_items)
    return (
        f"<tr><td>{escape(order.name)}</td><td>{order.created_at:%Y-%m-%d}</td>"
        f'<td>{escape(items)}</td><td><a class="button" href="{escape(link)}">'
        "Return an item</a></td></tr>"
    )


@bp.get(PROXY_PREFIX)
def app_proxy(name: str) -> Response:
    """Forward to the app's proxy URL with Shopify's signed parameters (as a redirect)."""
    shop, settings = _shop(name), _settings()
    if not settings.proxy_url:
        abort(404)
    shopper = _shopper_id(shop)
    params = {key: ",".join(request.args.getlist(key)) for key in request.args}
    params.update(
        shop=shop.domain,
        logged_in_customer_id=str(shopper or ""),
        path_prefix=PROXY_PREFIX,
        timestamp=str(int(time.time())),
    )
    params["signature"] = proxy_signature(_emulator().app.client_secret, params)
    return redirect(f"{settings.proxy_url}?{urlencode(params)}")
