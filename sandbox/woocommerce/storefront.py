"""My Account › Orders on the emulated store, with the Reshelf Returns plugin's button.

The page stands in for WooCommerce's account page with the plugin's "Return an item"
action (manifests/woocommerce/reshelf-returns/includes/class-reshelf-returns-buttons.php):
only for returnable orders of the signed-in customer, linking to the portal's
``/from-store`` address signed as class-reshelf-returns-link.php signs it.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from flask import Blueprint, current_app

from .store import Resource, Store

bp = Blueprint("wc_storefront", __name__)
# Reshelf_Returns_Buttons::RETURNABLE: a partly returned order still has units to return.
RETURNABLE = ("completed", "processing", "return-requested", "return-approved", "partly-returned")
LINK_LIFETIME = 7 * 24 * 3600  # Reshelf_Returns_Link::LIFETIME


@dataclass
class PluginSettings:
    """The plugin's settings page (portal URL, shared secret) and who is signed in."""

    portal_url: str = ""
    secret: str = ""
    shopper_email: str | None = None


def signed_link(settings: PluginSettings, order: Resource, now: float) -> str:
    """``Reshelf_Returns_Link::for_order``: the portal link, or '' when not configured."""
    if not settings.portal_url or not settings.secret:
        return ""
    order_id, email = str(order["id"]), str(order["billing"].get("email", "")).lower()
    expires = str(int(now) + LINK_LIFETIME)
    message = f"{order_id}|{email}|{expires}".encode()
    signature = hmac.new(settings.secret.encode(), message, hashlib.sha256).hexdigest()
    query = urlencode({"order": order_id, "email": email, "expires": expires})
    return f"{settings.portal_url.rstrip('/')}/from-store?{query}&signature={signature}"


@bp.get("/my-account/orders/")
def my_orders() -> str:
    """The signed-in customer's orders; returnable ones carry the plugin's button."""
    emulator = current_app.extensions["wc_emulator"]
    site: Store = emulator.store
    settings: PluginSettings = current_app.extensions["wc_storefront"]
    with site.lock:
        customer = next(
            (c for c in site.customers.values() if c["email"] == settings.shopper_email), None
        )
        mine = [o for o in site.orders.values() if customer and o["customer_id"] == customer["id"]]
        rows = "".join(_order_row(settings, order, site.plugin_installed) for order in mine)
    who = escape(settings.shopper_email or "nobody")
    return (
        "<!doctype html><title>My account: orders</title><h1>My account</h1>"
        f"<p>Signed in as {who}.</p><h2>Orders</h2><table><tr><th>Order</th><th>Date</th>"
        f"<th>Status</th><th>Items</th><th>Actions</th></tr>{rows}</table>"
    )


def _order_row(settings: PluginSettings, order: Resource, plugin: bool) -> str:
    link = signed_link(settings, order, time.time()) if plugin else ""
    button = (
        f'<a class="button" href="{escape(link)}">Return an item</a>'
        if link and order["status"] in RETURNABLE
        else ""
    )
    items = ", ".join(f"{i['quantity']} × {i['name']}" for i in order["line_items"])
    return (
        f"<tr><td>#{escape(str(order['number']))}</td><td>{order['date_created'][:10]}</td>"
        f"<td>{escape(order['status'])}</td><td>{escape(items)}</td><td>{button}</td></tr>"
    )
