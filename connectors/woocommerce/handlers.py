"""Topic → handler: what a stored delivery does to the mirror.

``date_modified_gmt`` has one-second resolution, so two different states of one resource
can carry the same stamp (two stock changes in one second: issue 15). A delivery whose
stamp is older than the mirror's is stale and changes nothing; one whose stamp equals the
mirror's may be the older of the two, so the resource is read from the REST API and the
store's state now is mirrored instead. Newer stamps are mirrored as delivered.

Topics and payloads: includes/class-wc-webhook.php (``build_payload``: a ``deleted``
delivery is only ``{"id"}``; ``restored`` follows ``untrashed_post``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.woocommerce import mapping, sync
from connectors.woocommerce.client import WooClient
from connectors.woocommerce.errors import WooFatalError
from core.models import Customer, Order, Shop, Variant

log = logging.getLogger(__name__)
Handler = Callable[[Session, Shop, WooClient, dict[str, Any]], bool]
Mirrored = type[Order] | type[Variant] | type[Customer]


def _mirrored_stamp(session: Session, shop: Shop, model: Mirrored, platform_id: str) -> Any:
    return session.scalar(
        select(model.platform_updated_at).where(
            model.shop_id == shop.id, model.platform_id == platform_id
        )
    )


def current(
    session: Session,
    shop: Shop,
    client: WooClient,
    data: dict[str, Any],
    model: Mirrored,
    path: str,
) -> dict[str, Any] | None:
    """The state to mirror: the payload, the store's state now on a tie, None if stale."""
    held = _mirrored_stamp(session, shop, model, str(data["id"]))
    incoming = mapping.gmt(data.get("date_modified_gmt"))
    if held is None or incoming is None:
        return data
    if incoming < held:
        return None
    if incoming == held:
        log.info(
            "%s %s: same date_modified_gmt as the mirror; read from the store", path, data["id"]
        )
        return dict(client.get(f"{path}/{data['id']}"))
    return data


def order_changed(session: Session, shop: Shop, client: WooClient, data: dict[str, Any]) -> bool:
    """order.created / order.updated."""
    state = current(session, shop, client, data, Order, "orders")
    return state is not None and sync.upsert_order(session, shop, client, state)


def product_changed(session: Session, shop: Shop, client: WooClient, data: dict[str, Any]) -> bool:
    """product.created / product.updated / product.restored (the product as REST renders it).

    A variable product's variations are read from the store whatever the payload says, so
    only simple products and variations need the tie check.
    """
    state: dict[str, Any] | None = data
    if data.get("type") == "variation" and data.get("parent_id"):
        path = f"products/{data['parent_id']}/variations"
        state = current(session, shop, client, data, Variant, path)
    elif data.get("type") != "variable":
        state = current(session, shop, client, data, Variant, "products")
    return state is not None and sync.upsert_product(session, shop, client, state)


def product_deleted(session: Session, shop: Shop, client: WooClient, data: dict[str, Any]) -> bool:
    """product.deleted: trashed (still readable) or deleted for good (404).

    A trashed product keeps its stock on the store, so it is mirrored as it is; one that
    is gone stops tracking stock in the mirror (nothing left to restock or compare).
    """
    product_id = str(data["id"])
    try:
        found = client.get(f"products/{product_id}")
    except WooFatalError as exc:
        if exc.status != 404:
            raise
        found = None
    if found is not None:
        return sync.upsert_product(session, shop, client, dict(found))
    variants = session.scalars(
        select(Variant).where(
            Variant.shop_id == shop.id,
            (Variant.platform_id == product_id) | (Variant.product_platform_id == product_id),
        )
    ).all()
    for variant in variants:
        mapping.drop_stock(session, variant)
    return bool(variants)


def customer_changed(session: Session, shop: Shop, client: WooClient, data: dict[str, Any]) -> bool:
    """customer.created / customer.updated."""
    state = current(session, shop, client, data, Customer, "customers")
    return state is not None and sync.upsert_customer(session, shop, client, state)


def order_deleted(session: Session, shop: Shop, client: WooClient, data: dict[str, Any]) -> bool:
    """order.deleted: the mirror keeps the order (returns point at it), marked deleted."""
    order = session.scalars(
        select(Order).where(Order.shop_id == shop.id, Order.platform_id == str(data["id"]))
    ).one_or_none()
    if order is not None and order.deleted_at is None:
        order.deleted_at = datetime.now(UTC)
    return order is not None


def order_refunded(session: Session, shop: Shop, client: WooClient, data: dict[str, Any]) -> bool:
    """action.woocommerce_order_refunded: the payload is only the order id; read the order."""
    return sync.upsert_order(session, shop, client, client.get(f"orders/{data['arg']}"))


HANDLERS: dict[str, Handler] = {
    "order.created": order_changed,
    "order.updated": order_changed,
    "order.deleted": order_deleted,
    "product.created": product_changed,
    "product.updated": product_changed,
    "product.deleted": product_deleted,
    "product.restored": product_changed,
    "customer.created": customer_changed,
    "customer.updated": customer_changed,
    "action.woocommerce_order_refunded": order_refunded,
}
