"""Webhooks: verify a delivery, recognise the ping, dedupe, and keep subscriptions alive.

Facts (plugins/woocommerce/includes/class-wc-webhook.php):
- ``X-WC-Webhook-Signature`` is base64(HMAC-SHA256(raw body, secret)).
- The ping sent when a webhook is saved is a form body ``webhook_id=N`` with no
  signature headers.
- ``X-WC-Webhook-Delivery-ID`` hashes the webhook id and the current second: two
  deliveries can share it, so it is no dedupe key. Payloads are built at send time and
  pending deliveries coalesce, so the key is topic + resource id + ``date_modified_gmt``:
  the same state of the same resource is processed once.
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
    return Delivery(
        topic=topic,
        resource_id=str(resource_id),
        dedupe_key=dedupe_key(topic, payload),
        webhook_id=header(headers, "X-WC-Webhook-ID"),
        delivery_id=header(headers, "X-WC-Webhook-Delivery-ID"),
        payload=payload,
    )


def dedupe_key(topic: str, payload: dict[str, Any]) -> str:
    """topic + resource id + date_modified_gmt (the state this delivery describes)."""
    if topic.startswith("action."):
        # The action payload has no date: one per refund event is what we want, and a
        # repeat is harmless (the handler re-reads the order), so hash the whole body.
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]
        arg = payload.get("arg")
        if isinstance(arg, dict):  # an erasure request: its id, never the person it names
            arg = arg.get("request")
        return f"{topic}:{arg}:{digest}"
    stamp = payload.get("date_modified_gmt") or "deleted"
    return f"{topic}:{payload.get('id')}:{stamp}"


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
