"""Webhook verification and the ``{topic: handler}`` table that applies deliveries.

Verification uses ``shopifyapp``'s verifier (HMAC-SHA256 of the raw body with the app's
secret, https://shopify.dev/docs/apps/build/webhooks/verify-deliveries). Handlers take the
stored delivery's JSON and change the mirror; each is idempotent and tolerates reordering.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from shopify_app import ShopifyApp
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.shopify import compliance
from connectors.shopify.client import Api
from connectors.shopify.mapping import customer_from_rest, order_from_rest, when
from connectors.shopify.mirror import upsert_customer, upsert_order
from core.enums import ShopStatus
from core.models import InboxDelivery, InventoryLevel, Location, Order, ReturnRequest, Shop, Variant

log = logging.getLogger(__name__)
Handler = Callable[[Session, Shop, dict[str, Any], InboxDelivery, Api], None]


def verify(headers: dict[str, str], body: bytes, client_id: str, secret: str) -> bool:
    """Whether the body carries a valid ``X-Shopify-Hmac-Sha256`` for ``secret``."""
    if not secret:
        return False
    request = {
        "method": "POST",
        "headers": headers,
        "url": "/webhooks/shopify",
        "body": body.decode("utf-8", "replace"),
    }
    return ShopifyApp(client_id or "reshelf", secret).verify_webhook_req(request).ok  # type: ignore[arg-type]


def on_order(
    session: Session, shop: Shop, body: dict[str, Any], delivery: InboxDelivery, api: Api
) -> None:
    """orders/create, orders/updated, orders/cancelled, orders/fulfilled."""
    if upsert_order(session, shop, order_from_rest(body)) is None:
        log.info("stale %s for %s ignored", delivery.topic, body.get("id"))


def on_customer(
    session: Session, shop: Shop, body: dict[str, Any], delivery: InboxDelivery, api: Api
) -> None:
    """customers/create, customers/update."""
    upsert_customer(session, shop, customer_from_rest(body))


def on_customer_delete(
    session: Session, shop: Shop, body: dict[str, Any], delivery: InboxDelivery, api: Api
) -> None:
    """customers/delete: the customer is gone from the store; keep returns, lose the person."""
    compliance.redact_customer(session, shop, f"gid://shopify/Customer/{body['id']}", [])


def on_refund(
    session: Session, shop: Shop, body: dict[str, Any], delivery: InboxDelivery, api: Api
) -> None:
    """refunds/create: note the refund on its order (orders/updated carries the quantities)."""
    order = session.scalars(
        select(Order).where(
            Order.shop_id == shop.id, Order.platform_id == f"gid://shopify/Order/{body['order_id']}"
        )
    ).one_or_none()
    if order is not None:
        refunds = set(order.platform_data.get("refunds", []))
        order.platform_data = {
            **order.platform_data,
            "refunds": sorted(refunds | {str(body["id"])}),
        }


def on_return(
    session: Session, shop: Shop, body: dict[str, Any], delivery: InboxDelivery, api: Api
) -> None:
    """returns/*: record Shopify's status on the Reshelf return it belongs to."""
    request = session.scalars(
        select(ReturnRequest).where(
            ReturnRequest.shop_id == shop.id,
            ReturnRequest.platform_return_id == body.get("admin_graphql_api_id"),
        )
    ).one_or_none()
    if request is None:
        if delivery.topic == "returns/request":
            from connectors.shopify.shopify_returns import adopt_requested_return

            adopt_requested_return(session, shop, body, api)
        return
    request.platform_data = {**request.platform_data, "shopify_status": body.get("status")}
    if delivery.topic == "returns/request":
        from connectors.shopify.shopify_returns import push

        push(request, api)


def on_dispose(
    session: Session, shop: Shop, body: dict[str, Any], delivery: InboxDelivery, api: Api
) -> None:
    """reverse_fulfillment_orders/dispose: nothing to mirror beyond the stock update."""
    log.info("reverse fulfillment order %s disposed", body.get("id"))


def on_inventory_level(
    session: Session, shop: Shop, body: dict[str, Any], delivery: InboxDelivery, api: Api
) -> None:
    """inventory_levels/update: mirror the available quantity, unless an older update."""
    variant = session.scalars(
        select(Variant).where(
            Variant.shop_id == shop.id,
            Variant.inventory_item_id == f"gid://shopify/InventoryItem/{body['inventory_item_id']}",
        )
    ).first()
    location = session.scalars(
        select(Location).where(
            Location.shop_id == shop.id,
            Location.platform_id == f"gid://shopify/Location/{body['location_id']}",
        )
    ).one_or_none()
    if variant is None or location is None or body.get("available") is None:
        return
    level = session.scalars(
        select(InventoryLevel).where(
            InventoryLevel.variant_id == variant.id, InventoryLevel.location_id == location.id
        )
    ).one_or_none() or InventoryLevel(
        shop_id=shop.id, variant_id=variant.id, location_id=location.id
    )
    session.add(level)
    updated = when(body.get("updated_at"))
    if level.platform_updated_at and updated and updated < level.platform_updated_at:
        return
    level.available, level.platform_updated_at = int(body["available"]), updated


def on_uninstalled(
    session: Session, shop: Shop, body: dict[str, Any], delivery: InboxDelivery, api: Api
) -> None:
    """app/uninstalled: mark the shop, forget its tokens (its jobs stop finding credentials)."""
    shop.status, shop.uninstalled_at = ShopStatus.UNINSTALLED, delivery.received_at
    shop.set_credentials(
        access_token=None, refresh_token=None, expires=None, refresh_token_expires=None
    )
    shop.token_expires_at = None


def on_scopes_update(
    session: Session, shop: Shop, body: dict[str, Any], delivery: InboxDelivery, api: Api
) -> None:
    """app/scopes_update: record the scopes now granted."""
    current = body.get("current") or []
    shop.scopes = ",".join(current) if isinstance(current, list) else str(current)


def on_bulk_finish(
    session: Session, shop: Shop, body: dict[str, Any], delivery: InboxDelivery, api: Api
) -> None:
    """bulk_operations/finish: remember it; the sync job waiting on it reads the file."""
    finished = dict(shop.settings.get("bulk_finished") or {})
    finished[str(body.get("admin_graphql_api_id"))] = body.get("status")
    shop.settings = {**shop.settings, "bulk_finished": finished}


HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(
        ("orders/create", "orders/updated", "orders/cancelled", "orders/fulfilled"), on_order
    ),
    **dict.fromkeys(("customers/create", "customers/update"), on_customer),
    "customers/delete": on_customer_delete,
    "refunds/create": on_refund,
    **dict.fromkeys(
        (
            "returns/request",
            "returns/approve",
            "returns/decline",
            "returns/cancel",
            "returns/close",
            "returns/reopen",
            "returns/process",
        ),
        on_return,
    ),
    "reverse_fulfillment_orders/dispose": on_dispose,
    "inventory_levels/update": on_inventory_level,
    "app/uninstalled": on_uninstalled,
    "app/scopes_update": on_scopes_update,
    "bulk_operations/finish": on_bulk_finish,
    "customers/data_request": compliance.on_data_request,
    "customers/redact": compliance.on_customer_redact,
    "shop/redact": compliance.on_shop_redact,
}
