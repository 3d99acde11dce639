"""``/webhooks``: create (then ping), read, update, delete, list.

Sources: includes/rest-api/Controllers/Version1/class-wc-rest-webhooks-v1-controller.php
(create_item validates the topic and delivery URL, saves, answers 201 and sends
``deliver_ping()`` - a ping that fails does not undo the creation; the secret is write-only)
and includes/data-stores/class-wc-webhook-data-store.php (update: a webhook made
``active`` while its delivery is still pending is pinged again).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request

from .common import body, listing, not_found, reply, require_key, store
from .delivery import Dispatcher, Webhook
from .store import Resource, WooError

bp = Blueprint("wc_webhooks", __name__, url_prefix="/wp-json/wc/v3")
bp.before_request(require_key)

STATUSES = ("active", "paused", "disabled")
RESOURCES = ("coupon", "customer", "order", "product")
EVENTS = ("created", "updated", "deleted", "restored")


def dispatcher() -> Dispatcher:
    """The emulator's delivery queue."""
    found: Dispatcher = current_app.extensions["wc_emulator"].dispatcher
    return found


def valid_topic(topic: str) -> bool:
    """``wc_is_webhook_valid_topic``: resource.event, or ``action.woocommerce_*|wc_*``."""
    resource, _, event = topic.partition(".")
    custom = resource == "action" and event.startswith(("woocommerce_", "wc_"))
    return custom or (resource in RESOURCES and event in EVENTS)


def render(hook: Webhook) -> Resource:
    """The REST representation (no secret)."""
    return {
        "id": hook.id,
        "name": hook.name,
        "status": hook.status,
        "topic": hook.topic,
        "resource": hook.resource,
        "event": hook.event,
        "hooks": [],
        "delivery_url": hook.delivery_url,
        **hook.extra,
    }


def _find(webhook_id: int) -> Webhook:
    hook = dispatcher().webhooks.get(webhook_id)
    if hook is None:
        raise not_found("webhook")
    return hook


def _validate(data: dict[str, Any]) -> None:
    if "topic" in data and not valid_topic(str(data["topic"]).lower()):
        raise WooError(
            "woocommerce_rest_webhook_invalid_topic",
            "Webhook topic is required and must be valid.",
            400,
        )
    url = str(data.get("delivery_url", "http://example.com"))
    if not url.startswith(("http://", "https://")) or len(url) < 10:
        raise WooError(
            "woocommerce_rest_webhook_invalid_delivery_url",
            "Webhook delivery URL must be a valid URL starting with http:// or https://.",
            400,
        )
    if data.get("status", "active") not in STATUSES:
        raise WooError("rest_invalid_param", "Invalid parameter(s): status", 400)


@bp.get("/webhooks")
def list_webhooks() -> Response:
    """List webhooks."""
    return listing([render(hook) for hook in list(dispatcher().webhooks.values())])


@bp.post("/webhooks")
def create_webhook() -> Response:
    """Create a webhook, answer 201, then ping its delivery URL."""
    data = body()
    if not data.get("topic"):
        raise WooError(
            "woocommerce_rest_webhook_invalid_topic",
            "Webhook topic is required and must be valid.",
            400,
        )
    _validate(data)
    site = store()
    with site.lock:
        hook = Webhook(
            site.next_post_id(),
            str(data.get("name", "")),
            str(data["topic"]).lower(),
            str(data["delivery_url"]),
            str(data.get("secret", "")),
            str(data.get("status", "active")),
        )
        site.stamp(hook.extra, "date_created", "date_modified")
        dispatcher().webhooks[hook.id] = hook
    response = reply(render(hook), 201)
    dispatcher().ping(hook)  # "Send ping." - after the response is prepared, result ignored
    return response


@bp.get("/webhooks/<int:webhook_id>")
def get_webhook(webhook_id: int) -> Response:
    """One webhook."""
    return reply(render(_find(webhook_id)))


@bp.route("/webhooks/<int:webhook_id>", methods=["PUT", "PATCH", "POST"])
def update_webhook(webhook_id: int) -> Response:
    """Update name, status, topic, delivery URL or secret."""
    data = body()
    _validate(data)
    hook = _find(webhook_id)
    with store().lock:
        for name in ("name", "status", "topic", "delivery_url", "secret"):
            if name in data:
                setattr(hook, name, str(data[name]))
        store().stamp(hook.extra, "date_modified")
    if hook.status == "active" and (hook.pending_delivery or "delivery_url" in data):
        dispatcher().ping(hook)
    return reply(render(hook))


@bp.delete("/webhooks/<int:webhook_id>")
def delete_webhook(webhook_id: int) -> Response:
    """Delete a webhook; WooCommerce requires ``force=true`` (no trash for webhooks)."""
    if request.args.get("force") not in ("true", "1"):
        raise WooError(
            "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.", 501
        )
    hook = _find(webhook_id)
    del dispatcher().webhooks[webhook_id]
    return reply(render(hook))
