"""Webhooks: take a delivery into the inbox, verify, dedupe, and keep subscriptions alive.

``receive`` is what ``POST /webhooks/woocommerce/<shop key>`` runs. The shop is found from
the URL before a byte of the body is read (unknown key: 404), and a body over
``MAX_WEBHOOK_BYTES`` gets 413 and is not stored. The ping WooCommerce sends when a webhook
is saved gets 200 and is not stored; a bad or missing signature gets 401; a signed body that
is not a WooCommerce payload gets 400. A delivery already in the inbox (the same body for
the same topic and resource: a replay) is acknowledged again without a second row.

Facts (plugins/woocommerce/includes/class-wc-webhook.php):
- ``X-WC-Webhook-Signature`` is base64(HMAC-SHA256(raw body, secret)).
- The ping sent when a webhook is saved is a form body ``webhook_id=N`` with no
  signature headers.
- ``X-WC-Webhook-Delivery-ID`` hashes the webhook id and the current second: two
  deliveries can share it, so it is no dedupe key. ``date_modified_gmt`` has one-second
  resolution: two stock changes in one second give two different bodies with the same
  stamp. So the key is topic + resource id + ``date_modified_gmt`` + a hash of the body:
  only the same delivery (the same bytes, a replay) is a duplicate; which of two
  same-second states is newer is decided when they are applied (``handlers.py``).
- A failed delivery is never retried and a webhook is disabled after more than five
  consecutive failures, so ``ensure_webhooks`` re-activates ours and reports the gap.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.woocommerce.client import WooClient
from connectors.woocommerce.consts import TOPICS, WEBHOOK_NAME
from core.clock import Clock
from core.enums import Platform, ShopStatus
from core.inbox import DeliveryShop, Inbox, NewDelivery
from core.models import Shop
from core.ports import Acknowledgement, IncomingWebhook, Readable

log = logging.getLogger(__name__)
# An order with hundreds of lines is a few hundred KB; nothing bigger comes from a store,
# and the endpoint stops reading there (the Shopify endpoint's cap, too).
MAX_WEBHOOK_BYTES = 2 * 1024 * 1024
_PING = re.compile(rb"^webhook_id=\d+$")


class MalformedDelivery(ValueError):
    """A signed body that is not what WooCommerce sends (answer 400)."""


@dataclass(frozen=True)
class Delivery:
    """What Reshelf keeps of a verified delivery."""

    topic: str
    resource_id: str
    dedupe_key: str
    webhook_id: str | None
    delivery_id: str | None
    payload: dict[str, Any]


def sign(body: bytes, secret: str) -> str:
    """The signature WooCommerce puts in ``X-WC-Webhook-Signature``."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, whatever case the server gave it (``X-Wc-Webhook-Topic``)."""
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def is_ping(headers: Mapping[str, str], body: bytes) -> bool:
    """The creation ping: ``webhook_id=N`` and no topic or signature header."""
    signed = header(headers, "X-WC-Webhook-Signature") or header(headers, "X-WC-Webhook-Topic")
    return not signed and bool(_PING.match(body.strip()))


def verify(body: bytes, secret: str, signature: str | None) -> bool:
    """True when the signature is WooCommerce's for this body and secret."""
    return bool(signature) and hmac.compare_digest(sign(body, secret), str(signature))


def parse(headers: Mapping[str, str], body: bytes) -> Delivery:
    """Read a verified delivery; MalformedDelivery if it cannot be WooCommerce's."""
    topic = header(headers, "X-WC-Webhook-Topic") or ""
    if "." not in topic:
        raise MalformedDelivery("missing or malformed X-WC-Webhook-Topic")
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise MalformedDelivery("the body is not JSON") from exc
    if not isinstance(payload, dict):
        raise MalformedDelivery("the body is not a JSON object")
    # Action topics carry {"action": hook, "arg": first hook argument}.
    resource_id = payload.get("arg") if topic.startswith("action.") else payload.get("id")
    if isinstance(resource_id, dict):  # the plugin's erasure request: named by its id
        resource_id = resource_id.get("request")
    if resource_id in (None, ""):
        raise MalformedDelivery("the payload names no resource")
    delivery_id = header(headers, "X-WC-Webhook-Delivery-ID")
    return Delivery(
        topic=topic,
        resource_id=str(resource_id),
        dedupe_key=dedupe_key(topic, payload, body, delivery_id),
        webhook_id=header(headers, "X-WC-Webhook-ID"),
        delivery_id=delivery_id,
        payload=payload,
    )


def dedupe_key(
    topic: str, payload: dict[str, Any], body: bytes, delivery_id: str | None = None
) -> str:
    """topic + resource id + date_modified_gmt + a hash of the body (this very delivery).

    A ``deleted`` payload is only ``{"id"}``, the same bytes for a product trashed,
    restored and trashed again; its delivery id (one per webhook and second) tells the
    events apart, and a replay repeats it.
    """
    if topic.startswith("action."):
        # The action payload has no date: one per refund event is what we want, and a
        # repeat is harmless (the handler re-reads the order), so hash the whole body.
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]
        arg = payload.get("arg")
        if isinstance(arg, dict):  # an erasure request: its id, never the person it names
            arg = arg.get("request")
        return f"{topic}:{arg}:{digest}"
    stamp = payload.get("date_modified_gmt") or f"deleted:{delivery_id or ''}"
    return f"{topic}:{payload.get('id')}:{stamp}:{hashlib.sha256(body).hexdigest()[:16]}"


def _raw_body(stream: Readable, content_length: int | None) -> bytes | None:
    """The body, or None when it is larger than any WooCommerce delivery."""
    limit = MAX_WEBHOOK_BYTES
    if content_length is not None and content_length > limit:
        return None
    # One read may stop short (a chunked body comes a chunk at a time): read to the end.
    body = b""
    while len(body) <= limit and (chunk := stream.read(limit + 1 - len(body))):
        body += chunk
    return None if len(body) > limit else body


def _headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """The request's headers by name, as werkzeug spells them (``X-Wc-Webhook-Topic``)."""
    found = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k[:5] == "HTTP_"}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            found[key.replace("_", "-").title()] = environ[key]
    return found


def _installed(shop: DeliveryShop) -> bool:
    return shop.status != ShopStatus.UNINSTALLED


def receive(incoming: IncomingWebhook, inbox: Inbox, clock: Clock) -> Acknowledgement:
    """Take one delivery into the inbox (see the module's docstring for each answer)."""
    shop_key = incoming.shop_key
    if shop_key is None:
        return Acknowledgement("Not Found", 404)
    headers = _headers(incoming.environ)
    signature = header(headers, "X-WC-Webhook-Signature")
    shop = inbox.find_shop(Platform.WOOCOMMERCE, key=shop_key, accept=_installed)
    if shop is None:
        # WooCommerce counts it as a failure and disables the webhook in time.
        return Acknowledgement("Not Found", 404)
    body = _raw_body(incoming.stream, incoming.content_length)
    if body is None:
        return Acknowledgement("Payload too large", 413)

    def signed_for(shop: DeliveryShop) -> bool:
        secret = shop.credential("webhook_secret") or ""
        return _installed(shop) and bool(secret) and verify(body, secret, signature)

    if is_ping(headers, body):
        return Acknowledgement("", 200)
    if not signed_for(shop):
        found = inbox.find_shop(Platform.WOOCOMMERCE, key=shop_key, accept=signed_for)
        if found is None:
            return Acknowledgement("Bad or missing X-WC-Webhook-Signature", 401)
        shop = found
    try:
        delivery = parse(headers, body)
    except MalformedDelivery as exc:
        return Acknowledgement(f"Malformed delivery: {exc}", 400)
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
        received_at=clock.now(),
    )
    # None: the same state of the same resource is already in the inbox.
    return Acknowledgement("", 200, inbox.store(record))


def delivery_url(public_url: str, shop: Shop) -> str:
    """Where this shop's webhooks are delivered."""
    return f"{public_url.rstrip('/')}/webhooks/woocommerce/{shop.key}"


def ours(hook: dict[str, Any], delivery_url: str) -> bool:
    """Whether a webhook on the store is one Reshelf created for this shop."""
    return str(hook.get("delivery_url", "")) == delivery_url


def register(client: WooClient, delivery_url: str, secret: str) -> list[int]:
    """Create the webhooks Reshelf needs that the store does not have yet."""
    existing = {h["topic"] for h in list_ours(client, delivery_url)}
    created = []
    for topic in TOPICS:
        if topic not in existing:
            hook = client.post(
                "webhooks",
                {
                    "name": f"{WEBHOOK_NAME} {topic}",
                    "topic": topic,
                    "delivery_url": delivery_url,
                    "secret": secret,
                    "status": "active",
                },
            )
            created.append(int(hook["id"]))
    return created


def list_ours(client: WooClient, delivery_url: str) -> list[dict[str, Any]]:
    """Reshelf's webhooks on the store."""
    found: list[dict[str, Any]] = []
    for _, page in client.pages("webhooks"):
        found.extend(h for h in page.items if ours(h, delivery_url))
    return found


def unregister(client: WooClient, delivery_url: str) -> int:
    """Delete Reshelf's webhooks (disconnect); returns how many."""
    hooks = list_ours(client, delivery_url)
    for hook in hooks:
        client.delete(f"webhooks/{hook['id']}", force="true")
    return len(hooks)


def ensure(client: WooClient, delivery_url: str, secret: str) -> list[str]:
    """Re-activate disabled or paused webhooks and create missing ones; say what was fixed."""
    repaired = []
    for hook in list_ours(client, delivery_url):
        if hook.get("status") != "active":
            client.put(f"webhooks/{hook['id']}", {"status": "active"})
            log.warning(
                "re-activated %s webhook %s (was %s)", hook["topic"], hook["id"], hook.get("status")
            )
            repaired.append(f"reactivated {hook['topic']}")
    repaired.extend(f"created webhook {i}" for i in register(client, delivery_url, secret))
    return repaired
