"""The fake platform's webhooks: ``X-Fake-Signature`` is hex HMAC-SHA256 of the body."""

from __future__ import annotations

import hashlib
import hmac
import json

from core.clock import Clock
from core.inbox import DeliveryShop, Inbox, NewDelivery
from core.ports import Acknowledgement, IncomingWebhook

PLATFORM = "fakeshop"


def sign(body: bytes, secret: str) -> str:
    """The signature the fake store sends with a delivery."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def receive(incoming: IncomingWebhook, inbox: Inbox, clock: Clock) -> Acknowledgement:
    """``POST /webhooks/fakeshop/<shop key>``: verify, store, answer."""
    if incoming.shop_key is None:
        return Acknowledgement("Not Found", 404)
    body = incoming.stream.read(64 * 1024)
    signature = str(incoming.environ.get("HTTP_X_FAKE_SIGNATURE", ""))
    topic = str(incoming.environ.get("HTTP_X_FAKE_TOPIC", ""))

    def signed_for(shop: DeliveryShop) -> bool:
        return hmac.compare_digest(sign(body, shop.credential("webhook_secret") or ""), signature)

    shop = inbox.find_shop(PLATFORM, key=incoming.shop_key, accept=signed_for)
    if shop is None:
        return Acknowledgement("Unauthorized", 401)
    payload = json.loads(body)
    delivery = NewDelivery(
        shop_id=shop.id,
        platform=PLATFORM,
        topic=topic,
        dedupe_key=f"{topic}:{payload['id']}",
        resource_id=str(payload["id"]),
        body=body,
        received_at=clock.now(),
    )
    return Acknowledgement("", 200, inbox.store(delivery))
