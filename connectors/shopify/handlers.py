"""Webhook handlers that keep the mirror in step: orders, customers, refunds, returns, stock, app.

Each is idempotent and tolerates reordering (an older update never overwrites a newer one),
as Shopify delivers at least once and in no guaranteed order
(https://shopify.dev/docs/apps/build/webhooks/best-practices).
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from connectors.shopify import privacy, returns
from connectors.shopify.consts import ORDER_TOPICS, RETURN_TOPICS
from connectors.shopify.mapping import customer_from_rest, order_from_rest, when
from connectors.shopify.received import Handler, Received
from connectors.shopify.sync import upsert_customer, upsert_order
from core.enums import ShopStatus
from core.models import InventoryLevel, Location, Order, Variant
from core.services.platform_returns import find_platform_return

log = logging.getLogger(__name__)


def on_order(event: Received) -> None:
    """orders/create, orders/updated, orders/cancelled, orders/fulfilled."""
    if upsert_order(event.session, event.shop, order_from_rest(event.shop, event.body)) is None:
        log.info("stale %s for %s ignored", event.topic, event.body.get("id"))


def on_customer(event: Received) -> None:
    """customers/create, customers/update."""
    upsert_customer(event.session, event.shop, customer_from_rest(event.shop, event.body))


def on_customer_delete(event: Received) -> None:
    """customers/delete: the customer is gone from the store; keep returns, lose the person."""
    platform_id = f"gid://shopify/Customer/{event.body['id']}"
    privacy.redact_customer(event.session, event.shop, platform_id, [], delivery=event.delivery)


def on_refund(event: Received) -> None:
    """refunds/create: note the refund on its order (orders/updated carries the quantities)."""
    platform_id = f"gid://shopify/Order/{event.body['order_id']}"
    order = event.session.scalars(
        select(Order).where(Order.shop_id == event.shop.id, Order.platform_id == platform_id)
    ).one_or_none()
    if order is not None:
        refunds = set(order.platform_data.get("refunds", [])) | {str(event.body["id"])}
        order.platform_data = {**order.platform_data, "refunds": sorted(refunds)}


def on_return(event: Received) -> None:
    """returns/*: record Shopify's status; a shopper's new request is decided and answered."""
    return_id = str(event.body.get("admin_graphql_api_id"))
    request = find_platform_return(event.session, event.shop, return_id)
    if request is None:
        if event.topic == "returns/request":
            returns.adopt_requested_return(event.session, event.shop, event.body, event.api)
        return
    request.platform_data = {**request.platform_data, "shopify_status": event.body.get("status")}
    if event.topic == "returns/request":
        returns.push(request, event.api)  # a retried delivery: answer Shopify now


def on_dispose(event: Received) -> None:
    """reverse_fulfillment_orders/dispose: nothing to mirror beyond the stock update."""
    log.info("reverse fulfillment order %s disposed", event.body.get("id"))


def on_inventory_level(event: Received) -> None:
    """inventory_levels/update: mirror the available quantity, unless an older update."""
    session, shop, body = event.session, event.shop, event.body
    item_id = f"gid://shopify/InventoryItem/{body['inventory_item_id']}"
    location_id = f"gid://shopify/Location/{body['location_id']}"
    variant = session.scalars(
        select(Variant).where(Variant.shop_id == shop.id, Variant.inventory_item_id == item_id)
    ).first()
    location = session.scalars(
        select(Location).where(Location.shop_id == shop.id, Location.platform_id == location_id)
    ).one_or_none()
    if variant is None or location is None or body.get("available") is None:
        return
    level = session.scalars(
        select(InventoryLevel).where(
            InventoryLevel.variant_id == variant.id, InventoryLevel.location_id == location.id
        )
    ).one_or_none()
    if level is None:
        level = InventoryLevel(shop_id=shop.id, variant_id=variant.id, location_id=location.id)
        session.add(level)
    updated = when(body.get("updated_at"))
    if level.platform_updated_at and updated and updated < level.platform_updated_at:
        return
    level.available, level.platform_updated_at = int(body["available"]), updated


def on_uninstalled(event: Received) -> None:
    """app/uninstalled: mark the shop and forget its tokens (its jobs then wait)."""
    shop = event.shop
    shop.status, shop.uninstalled_at = ShopStatus.UNINSTALLED, event.delivery.received_at
    shop.set_credentials(
        access_token=None, refresh_token=None, expires=None, refresh_token_expires=None
    )
    shop.token_expires_at = None


def on_scopes_update(event: Received) -> None:
    """app/scopes_update: record the scopes now granted."""
    current = event.body.get("current") or []
    event.shop.scopes = ",".join(current) if isinstance(current, list) else str(current)


def on_bulk_finish(event: Received) -> None:
    """bulk_operations/finish: remember it for the sync log (the sync job polls the status)."""
    finished = dict(event.shop.settings.get("bulk_finished") or {})
    finished[str(event.body.get("admin_graphql_api_id"))] = event.body.get("status")
    event.shop.settings = {**event.shop.settings, "bulk_finished": finished}


# The topic table: a stored delivery's handler; ``process_delivery`` ignores other topics.
HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(ORDER_TOPICS, on_order),
    **dict.fromkeys(("customers/create", "customers/update"), on_customer),
    "customers/delete": on_customer_delete,
    "refunds/create": on_refund,
    **dict.fromkeys((t for t in RETURN_TOPICS if t.startswith("returns/")), on_return),
    "reverse_fulfillment_orders/dispose": on_dispose,
    "inventory_levels/update": on_inventory_level,
    "app/uninstalled": on_uninstalled,
    "app/scopes_update": on_scopes_update,
    "bulk_operations/finish": on_bulk_finish,
    "customers/data_request": privacy.on_data_request,
    "customers/redact": privacy.on_customer_redact,
    "shop/redact": privacy.on_shop_redact,
}
