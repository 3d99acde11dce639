"""``POST /webhooks/shopify``: verify, store in the inbox, enqueue, answer 200.

Shopify waits five seconds for a 2xx and retries otherwise
(https://shopify.dev/docs/apps/build/webhooks/subscribe/https), so the answer never waits
on processing: the delivery is durable in the inbox before the 200, and a repeated
``X-Shopify-Webhook-Id`` (https://shopify.dev/docs/apps/build/webhooks/verify-deliveries)
is answered 200 without a second row.
"""

from __future__ import annotations

import hashlib

import orjson
from flask import Blueprint, request

from connectors.shopify.consts import MAX_WEBHOOK_BYTES
from connectors.shopify.mapping import when
from connectors.shopify.webhooks import verify
from core.config import get_settings
from core.enums import Platform
from core.inbox import DeliveryShop, NewDelivery
from webapp.clock import get_clock
from webapp.db import get_inbox
from webapp.jobs import get_dispatcher

bp = Blueprint("shopify_webhooks", __name__)

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


def _raw_body() -> bytes | None:
    """The body, or None when it is larger than any Shopify webhook."""
    if request.content_length is not None and request.content_length > MAX_WEBHOOK_BYTES:
        return None
    body = request.stream.read(MAX_WEBHOOK_BYTES + 1)
    return None if len(body) > MAX_WEBHOOK_BYTES else body


def _shopify_headers() -> dict[str, str]:
    """The Shopify headers the delivery came with, by the names ``KEPT_HEADERS`` gives."""
    environ = request.environ
    return {name: environ[key] for name, key in _ENVIRON_KEYS if key in environ}


def _resource_id(payload: dict[str, object]) -> str | None:
    """The id of what the webhook is about, for the sync log."""
    found = payload.get("admin_graphql_api_id") or payload.get("id")
    return str(found)[:128] if found else None


@bp.post("/webhooks/shopify")
def receive() -> tuple[str, int]:
    """Take one webhook delivery."""
    body = _raw_body()
    if body is None:
        return "Payload too large", 413
    headers = _shopify_headers()
    topic = headers.get("X-Shopify-Topic")
    domain = headers.get("X-Shopify-Shop-Domain")
    if not topic or not domain:
        return "Missing Shopify headers", 400
    settings = get_settings()

    def signed_for(shop: DeliveryShop) -> bool:
        secret = shop.credential("api_secret") or settings.shopify_api_secret
        return verify(headers, body, settings.shopify_api_key, secret)

    inbox = get_inbox()
    shop = inbox.find_shop(Platform.SHOPIFY, domain=domain, accept=signed_for)
    if shop is None:
        return "Unauthorized", 401
    try:
        payload = orjson.loads(body)
    except ValueError:
        return "Body is not JSON", 400
    if not isinstance(payload, dict):
        # Every Shopify topic sends an object; anything else could only fail in the worker.
        return "Body is not a JSON object", 400
    webhook_id = headers.get("X-Shopify-Webhook-Id")
    event_id = headers.get("X-Shopify-Event-Id")
    delivery = NewDelivery(
        shop_id=shop.id,
        platform=Platform.SHOPIFY,
        topic=topic,
        dedupe_key=webhook_id or event_id or f"{topic}:{hashlib.sha256(body).hexdigest()}",
        webhook_id=webhook_id,
        event_id=event_id,
        triggered_at=when(headers.get("X-Shopify-Triggered-At")),
        api_version=headers.get("X-Shopify-API-Version"),
        resource_id=_resource_id(payload),
        headers={h: headers[h] for h in KEPT_HEADERS if h in headers},
        body=body,
        received_at=get_clock().now(),
    )
    stored = inbox.store(delivery)
    # None: the same webhook again, already stored and dispatched; nothing more to do.
    if stored is not None:
        get_dispatcher().dispatch("inbox", stored)
    return "", 200
