"""Webhooks: verify a delivery, find its dedupe key, and store it in the inbox.

``receive`` is what ``POST /webhooks/shopify`` runs: Shopify waits five seconds for a 2xx
and retries otherwise (https://shopify.dev/docs/apps/build/webhooks/subscribe/https), so
the answer never waits on processing: the delivery is durable in the inbox before the 200,
and a repeated ``X-Shopify-Webhook-Id`` is answered 200 without a second row.
Verification uses ``shopifyapp``'s verifier (HMAC-SHA256 of the raw body with the app's
secret, https://shopify.dev/docs/apps/build/webhooks/verify-deliveries). The worker applies
a stored delivery through the topic table in ``connector``.
"""

from __future__ import annotations

import hashlib

import orjson
from shopify_app import RequestInput, ShopifyApp

from connectors.shopify.consts import MAX_WEBHOOK_BYTES
from connectors.shopify.mapping import when
from core.clock import Clock
from core.config import get_settings
from core.enums import Platform
from core.inbox import DeliveryShop, Inbox, NewDelivery
from core.ports import Acknowledgement, IncomingWebhook, Readable

KEPT_HEADERS = (
    "X-Shopify-Topic",
    "X-Shopify-Shop-Domain",
    "X-Shopify-Webhook-Id",
    "X-Shopify-Event-Id",
    "X-Shopify-Triggered-At",
    "X-Shopify-API-Version",
)
# Each header the endpoint reads, by its WSGI environ key (PEP 3333: ``HTTP_`` and the name
# in upper case, ``_`` for ``-``), so one dict lookup reads it: werkzeug's case-insensitive
# ``request.headers`` took microseconds a lookup, a tenth of an acknowledgement's Python.
_ENVIRON_KEYS = tuple(
    (name, "HTTP_" + name.upper().replace("-", "_"))
    for name in ("X-Shopify-Hmac-Sha256", *KEPT_HEADERS)
)


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


def _raw_body(stream: Readable, content_length: int | None) -> bytes | None:
    """The body, or None when it is larger than any Shopify webhook."""
    if content_length is not None and content_length > MAX_WEBHOOK_BYTES:
        return None
    body = stream.read(MAX_WEBHOOK_BYTES + 1)
    return None if len(body) > MAX_WEBHOOK_BYTES else body


def _resource_id(payload: dict[str, object]) -> str | None:
    """The id of what the webhook is about, for the sync log."""
    found = payload.get("admin_graphql_api_id") or payload.get("id")
    return str(found)[:128] if found else None


def dedupe_key(headers: dict[str, str], body: bytes) -> str:
    """The webhook id, else the event id, else topic + the body's hash: one row per delivery."""
    webhook_id = headers.get("X-Shopify-Webhook-Id")
    event_id = headers.get("X-Shopify-Event-Id")
    topic = headers.get("X-Shopify-Topic")
    return webhook_id or event_id or f"{topic}:{hashlib.sha256(body).hexdigest()}"


def receive(incoming: IncomingWebhook, inbox: Inbox, clock: Clock) -> Acknowledgement:
    """Take one delivery: 413 too large, 400 no topic or not a JSON object, 401 unsigned."""
    if incoming.shop_key is not None:
        return Acknowledgement("Not Found", 404)  # Shopify's address names no shop
    body = _raw_body(incoming.stream, incoming.content_length)
    if body is None:
        return Acknowledgement("Payload too large", 413)
    environ = incoming.environ
    headers = {name: environ[key] for name, key in _ENVIRON_KEYS if key in environ}
    topic = headers.get("X-Shopify-Topic")
    domain = headers.get("X-Shopify-Shop-Domain")
    if not topic or not domain:
        return Acknowledgement("Missing Shopify headers", 400)
    settings = get_settings()

    def signed_for(shop: DeliveryShop) -> bool:
        secret = shop.credential("api_secret") or settings.shopify_api_secret
        return verify(headers, body, settings.shopify_api_key, secret)

    shop = inbox.find_shop(Platform.SHOPIFY, domain=domain, accept=signed_for)
    if shop is None:
        return Acknowledgement("Unauthorized", 401)
    try:
        payload = orjson.loads(body)
    except ValueError:
        return Acknowledgement("Body is not JSON", 400)
    if not isinstance(payload, dict):
        # Every Shopify topic sends an object; anything else could only fail in the worker.
        return Acknowledgement("Body is not a JSON object", 400)
    delivery = NewDelivery(
        shop_id=shop.id,
        platform=Platform.SHOPIFY,
        topic=topic,
        dedupe_key=dedupe_key(headers, body),
        webhook_id=headers.get("X-Shopify-Webhook-Id"),
        event_id=headers.get("X-Shopify-Event-Id"),
        triggered_at=when(headers.get("X-Shopify-Triggered-At")),
        api_version=headers.get("X-Shopify-API-Version"),
        resource_id=_resource_id(payload),
        headers={h: headers[h] for h in KEPT_HEADERS if h in headers},
        body=body,
        received_at=clock.now(),
    )
    # None: the same webhook again, already stored and dispatched; nothing more to do.
    return Acknowledgement("", 200, inbox.store(delivery))
