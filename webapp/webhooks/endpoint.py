"""``POST /webhooks/<platform>[/<shop key>]``: one endpoint for every platform's webhooks.

The platform's connector class (``connectors.CONNECTORS``) verifies the delivery and
stores it in the inbox (``receive_webhook``); this view only hands it the request and
announces a new row to the worker. Nothing is built per request: the registry lookup is
one dict lookup, headers are read from the WSGI environ, and the answer never waits on
processing (Shopify waits five seconds for a 2xx, WooCommerce disables a failing webhook).
Addresses: ``/webhooks/shopify`` (the shop is in a header), ``/webhooks/woocommerce/<key>``.
"""

from __future__ import annotations

from flask import Blueprint, request

from connectors import CONNECTORS
from core.ports import IncomingWebhook
from webapp.clock import get_clock
from webapp.db import get_inbox
from webapp.jobs import get_dispatcher

bp = Blueprint("webhooks", __name__)


@bp.post("/webhooks/<platform>", defaults={"shop_key": None})
@bp.post("/webhooks/<platform>/<shop_key>")
def receive(platform: str, shop_key: str | None) -> tuple[str, int]:
    """Take one delivery through its platform's connector; an unknown platform is 404."""
    connector = CONNECTORS.get(platform)
    if connector is None:
        return "Not Found", 404
    incoming = IncomingWebhook(request.environ, request.stream, request.content_length, shop_key)
    answer = connector.receive_webhook(incoming, get_inbox(), get_clock())
    if answer.stored is not None:
        get_dispatcher().dispatch("inbox", answer.stored)
    return answer.text, answer.status
