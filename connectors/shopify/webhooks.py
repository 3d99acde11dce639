"""Webhook verification and the ``{topic: handler}`` table that applies deliveries.

Verification uses ``shopifyapp``'s verifier (HMAC-SHA256 of the raw body with the app's
secret, https://shopify.dev/docs/apps/build/webhooks/verify-deliveries). The handlers live
in ``handlers`` (the mirror) and ``compliance`` (the privacy topics).
"""

from __future__ import annotations

from shopify_app import RequestInput, ShopifyApp

from connectors.shopify import compliance, handlers
from connectors.shopify.consts import RETURN_TOPICS
from connectors.shopify.received import Handler


def verify(headers: dict[str, str], body: bytes, client_id: str, secret: str) -> bool:
    """Whether the body carries a valid ``X-Shopify-Hmac-Sha256`` for ``secret``."""
    if not secret:
        return False
    request: RequestInput = {
        "method": "POST",
        "headers": headers,
        "url": "/webhooks/shopify",
        "body": body.decode("utf-8", "replace"),
    }
    return ShopifyApp(client_id or "reshelf", secret).verify_webhook_req(request).ok


ORDER_UPDATES = ("orders/create", "orders/updated", "orders/cancelled", "orders/fulfilled")
HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(ORDER_UPDATES, handlers.on_order),
    **dict.fromkeys(("customers/create", "customers/update"), handlers.on_customer),
    "customers/delete": handlers.on_customer_delete,
    "refunds/create": handlers.on_refund,
    **dict.fromkeys((t for t in RETURN_TOPICS if t.startswith("returns/")), handlers.on_return),
    "reverse_fulfillment_orders/dispose": handlers.on_dispose,
    "inventory_levels/update": handlers.on_inventory_level,
    "app/uninstalled": handlers.on_uninstalled,
    "app/scopes_update": handlers.on_scopes_update,
    "bulk_operations/finish": handlers.on_bulk_finish,
    "customers/data_request": compliance.on_data_request,
    "customers/redact": compliance.on_customer_redact,
    "shop/redact": compliance.on_shop_redact,
}
