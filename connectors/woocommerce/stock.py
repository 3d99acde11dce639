"""Restocking exactly once.

With the Reshelf Returns plugin: its atomic route (``wc_update_product_stock(..., 'increase')``
behind a unique movement id) - sending the same movement twice changes nothing.

Without it: ``inventory_delta`` on the product or variation, with the movement's key
written to the item's ``meta_data`` in the same request. Applying a movement is
serialised per item (a row lock on the variant), and first reads the item: if the key is
already in its meta data, an earlier attempt got through (the answer was lost, or the
worker died after the store changed) and nothing is sent again.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.woocommerce.client import WooClient
from connectors.woocommerce.errors import WooFatalError
from core.models import StockMovement, Variant
from core.ports import StoreAnswer

META_PREFIX = "reshelf_movement_"


def item_endpoint(variant: Variant) -> str:
    """The REST path of a simple product or of a variation."""
    product_id, item_id = variant.product_platform_id, variant.platform_id
    if product_id and product_id != item_id:
        return f"products/{product_id}/variations/{item_id}"
    return f"products/{item_id}"


def _marker(item: dict[str, Any], key: str) -> dict[str, Any] | None:
    for meta in item.get("meta_data", []):
        if meta.get("key") == META_PREFIX + key:
            return dict(meta)
    return None


def restock_with_plugin(client: WooClient, movement: StockMovement) -> StoreAnswer:
    """The plugin's atomic, idempotent increase."""
    answer = client.plugin_post(
        "stock",
        {
            "product_id": int(movement.variant.platform_id),
            "quantity": movement.quantity,
            "movement_id": movement.idempotency_key,
        },
    )
    return StoreAnswer(
        reference=movement.idempotency_key,
        quantity_after=answer.get("stock_quantity"),
        raw={"via": "plugin", **answer},
    )


def accepts_inventory_delta(client: WooClient, endpoint: str) -> bool:
    """Whether the store's REST API takes ``inventory_delta`` on this route.

    WordPress ignores arguments it does not know, so on a store without it an update would
    write our marker and leave the stock alone; the route's OPTIONS description says.
    """
    description = client.options(endpoint)
    return any(
        "inventory_delta" in (route.get("args") or {}) for route in description.get("endpoints", [])
    )


def restock_with_delta(session: Session, client: WooClient, movement: StockMovement) -> StoreAnswer:
    """``inventory_delta`` plus a meta marker, once per movement, one writer per item."""
    # Serialise per item: on PostgreSQL this row lock holds other workers until commit.
    variant = session.scalars(
        select(Variant).where(Variant.id == movement.variant_id).with_for_update()
    ).one()
    endpoint = item_endpoint(variant)
    if not accepts_inventory_delta(client, endpoint):
        raise WooFatalError(
            "this store cannot change stock by a relative amount "
            "(no inventory_delta): install the Reshelf Returns plugin"
        )
    item = client.get(endpoint)
    done = _marker(item, movement.idempotency_key)
    if done is not None:
        return StoreAnswer(
            reference=movement.idempotency_key,
            quantity_after=item.get("stock_quantity"),
            raw={"via": "inventory_delta", "already_applied": True},
        )
    marker = json.dumps({"quantity": movement.quantity, "movement": movement.id})
    updated = client.put(
        endpoint,
        {
            "inventory_delta": movement.quantity,
            "meta_data": [{"key": META_PREFIX + movement.idempotency_key, "value": marker}],
        },
    )
    return StoreAnswer(
        reference=movement.idempotency_key,
        quantity_after=updated.get("stock_quantity"),
        raw={"via": "inventory_delta", "already_applied": False},
    )


def read_stock(client: WooClient, variant: Variant) -> int:
    """The item's stock quantity on the store now (0 when it does not manage stock)."""
    return int(client.get(item_endpoint(variant)).get("stock_quantity") or 0)
