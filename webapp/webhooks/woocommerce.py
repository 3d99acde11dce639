"""``POST /webhooks/woocommerce/<shop key>``: verify, store, enqueue, then answer 200.

The shop is found from the URL before a byte of the body is read (unknown key: 404), and
a body over ``webhooks.MAX_WEBHOOK_BYTES`` (2 MB) gets 413 and is not stored. The ping
WooCommerce sends when a webhook is saved (``webhook_id=N``, unsigned) gets 200 and is
not stored; a bad or missing signature gets 401 and nothing is stored; a signed
body that is not a WooCommerce payload gets 400. A delivery already in the inbox (same
topic, resource and ``date_modified_gmt``) is acknowledged again without a second row.
"""

from __future__ import annotations

from flask import Blueprint, abort, request

from connectors.woocommerce import webhooks
from core.enums import Platform, ShopStatus
from core.inbox import DeliveryShop, NewDelivery
from webapp.clock import get_clock
from webapp.db import get_inbox
from webapp.jobs import get_dispatcher

bp = Blueprint("woocommerce_webhooks", __name__, url_prefix="/webhooks/woocommerce")


def _raw_body() -> bytes | None:
    """The body, or None when it is larger than any WooCommerce delivery."""
    limit = webhooks.MAX_WEBHOOK_BYTES
    if request.content_length is not None and request.content_length > limit:
        return None
    # One read may stop short (a chunked body comes a chunk at a time): read to the end.
    body, stream = b"", request.stream
    while len(body) <= limit and (chunk := stream.read(limit + 1 - len(body))):
        body += chunk
    return None if len(body) > limit else body


@bp.post("/<shop_key>")
def receive(shop_key: str) -> tuple[str, int]:
    """Take one delivery into the inbox."""
    headers = dict(request.headers.items())
    signature = webhooks.header(headers, "X-WC-Webhook-Signature")

    def installed(shop: DeliveryShop) -> bool:
        return shop.status != ShopStatus.UNINSTALLED

    inbox = get_inbox()
    shop = inbox.find_shop(Platform.WOOCOMMERCE, key=shop_key, accept=installed)
    if shop is None:
        abort(404)  # WooCommerce counts it as a failure and disables the webhook in time
    body = _raw_body()
    if body is None:
        return "Payload too large", 413

    def signed_for(shop: DeliveryShop) -> bool:
        secret = shop.credential("webhook_secret") or ""
        return installed(shop) and bool(secret) and webhooks.verify(body, secret, signature)

    if webhooks.is_ping(headers, body):
        return "", 200
    if not signed_for(shop):
        found = inbox.find_shop(Platform.WOOCOMMERCE, key=shop_key, accept=signed_for)
        if found is None:
            return "Bad or missing X-WC-Webhook-Signature", 401
        shop = found
    try:
        delivery = webhooks.parse(headers, body)
    except webhooks.MalformedDelivery as exc:
        return f"Malformed delivery: {exc}", 400
    record = NewDelivery(
        shop_id=shop.id,
        platform=Platform.WOOCOMMERCE,
        topic=delivery.topic,
        dedupe_key=delivery.dedupe_key,
        webhook_id=delivery.webhook_id,
        event_id=delivery.delivery_id,
        resource_id=delivery.resource_id,
        headers={k: v for k, v in headers.items() if k.lower().startswith("x-wc-webhook")},
        body=body,
        received_at=get_clock().now(),
    )
    stored = inbox.store(record)
    # None: the same state of the same resource is already in the inbox.
    if stored is not None:
        get_dispatcher().dispatch("inbox", stored)
    return "", 200
