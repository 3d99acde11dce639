"""Restocking exactly once.

With the Reshelf Returns plugin (preferred): its atomic route
(``wc_update_product_stock(..., 'increase')`` behind a unique movement id) - sending the
same movement twice changes nothing. A real store sends no ``product.updated`` after it,
so the item is read back and mirrored at once (a delivery processed late is then stale).

Without it: ``inventory_delta`` on the product or variation, with the movement's key
written to the item's ``meta_data`` in the same request. The products and variations
controllers apply ``inventory_delta`` in code but list it in no schema, so a route's
OPTIONS cannot tell whether a store has it; the store's WooCommerce version
(``GET /system_status``) does, and the stock read back after the update proves it was
applied. Applying a movement is serialised per item (a row lock on the variant), and
first reads the item: if the key is already in its meta data, an earlier attempt got
through (the answer was lost, or the worker died after the store changed) and nothing is
sent again. A delta the store ignored marks its key so, and the restock is refused.

An item whose stock the store does not manage has nothing to put back: the movement ends
with that answer and the return says so to the merchant, instead of failing.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.woocommerce import mapping
from connectors.woocommerce.client import WooClient
from connectors.woocommerce.consts import INVENTORY_DELTA_SINCE
from connectors.woocommerce.errors import WooAuthError, WooFatalError
from core.models import Shop, StockMovement, Variant
from core.ports import StoreAnswer

META_PREFIX = "reshelf_movement_"
PLUGIN_NOT_MANAGED = "reshelf_stock_not_managed"  # the plugin's 409 code


def item_endpoint(variant: Variant) -> str:
    """The REST path of a simple product or of a variation."""
    product_id, item_id = variant.product_platform_id, variant.platform_id
    if product_id and product_id != item_id:
        return f"products/{product_id}/variations/{item_id}"
    return f"products/{item_id}"


def store_version(client: WooClient) -> tuple[int, ...] | None:
    """The store's WooCommerce version (System status › environment), None if unreadable.

    System status needs ``manage_woocommerce``; keys without it are not a reason to ask
    the merchant to reconnect, only to restock by the plugin.
    """
    try:
        status = client.get("system_status", _fields="environment")
    except (WooAuthError, WooFatalError):
        return None
    text = str((status.get("environment") or {}).get("version") or "")
    found = re.match(r"(\d+(?:\.\d+)*)", text)
    return tuple(int(p) for p in found.group(1).split(".")) if found else None


def takes_inventory_delta(version: tuple[int, ...] | None) -> bool:
    """Whether a store of this version applies ``inventory_delta`` on products."""
    return version is not None and version >= INVENTORY_DELTA_SINCE


def _marker(item: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The movement's marker, unless it records a delta the store ignored."""
    for meta in item.get("meta_data", []):
        if meta.get("key") == META_PREFIX + key:
            ignored = '"ignored": true' in str(meta.get("value"))
            return None if ignored else dict(meta)
    return None


def _name(variant: Variant) -> str:
    return variant.title or variant.sku or f"product {variant.platform_id}"


def not_managed(session: Session, movement: StockMovement, via: str) -> StoreAnswer:
    """Nothing to put back: the store does not count this item's stock. Tell the merchant."""
    mapping.drop_stock(session, movement.variant)
    line = movement.return_line
    if line is not None:
        line.request.attention = (
            f"{_name(movement.variant)} does not track stock in WooCommerce, so nothing was"
            " put back on sale. Turn on stock management for it in WooCommerce, or count"
            " the unit in by hand."
        )
    return StoreAnswer(
        reference=movement.idempotency_key,
        quantity_after=None,
        raw={"via": via, "stock_managed": False},
    )


def restock_with_plugin(
    session: Session, client: WooClient, shop: Shop, movement: StockMovement
) -> StoreAnswer:
    """The plugin's atomic, idempotent increase; the item is mirrored from a read-back."""
    try:
        answer = client.plugin_post(
            "stock",
            {
                "product_id": int(movement.variant.platform_id),
                "quantity": movement.quantity,
                "movement_id": movement.idempotency_key,
            },
        )
    except WooFatalError as exc:
        if exc.code == PLUGIN_NOT_MANAGED:
            return not_managed(session, movement, "plugin")
        raise
    _mirror_item(session, client, shop, movement.variant)
    return StoreAnswer(
        reference=movement.idempotency_key,
        quantity_after=answer.get("stock_quantity"),
        raw={"via": "plugin", **answer},
    )


def _mirror_item(
    session: Session, client: WooClient, shop: Shop, variant: Variant
) -> dict[str, Any]:
    """Read the item back and mirror it, so its ``date_modified_gmt`` is the mirror's."""
    item = dict(client.get(item_endpoint(variant)))
    parent = None
    if item.get("parent_id"):
        # The parent's fields the mapping keeps, as the mirror already has them.
        parent = {
            "id": item["parent_id"],
            "name": variant.product_title,
            "type": variant.product_type,
            "tags": [{"slug": t} for t in variant.tags or []],
            "categories": [{"slug": c} for c in variant.collections or []],
        }
    mapping.upsert_variant(session, shop, item, parent=parent)
    return item


def restock_with_delta(
    session: Session,
    client: WooClient,
    shop: Shop,
    movement: StockMovement,
    version: tuple[int, ...] | None,
) -> StoreAnswer:
    """``inventory_delta`` plus a meta marker, once per movement, one writer per item."""
    # Serialise per item: on PostgreSQL this row lock holds other workers until commit.
    variant = session.scalars(
        select(Variant).where(Variant.id == movement.variant_id).with_for_update()
    ).one()
    shown = ".".join(map(str, version)) if version else "of a version it does not tell"
    if not takes_inventory_delta(version):
        raise WooFatalError(
            f"this store (WooCommerce {shown}) cannot be trusted to change stock by a"
            " relative amount (inventory_delta): install the Reshelf Returns plugin"
        )
    endpoint = item_endpoint(variant)
    item = client.get(endpoint)
    done = _marker(item, movement.idempotency_key)
    if done is not None:
        return StoreAnswer(
            reference=movement.idempotency_key,
            quantity_after=item.get("stock_quantity"),
            raw={"via": "inventory_delta", "already_applied": True},
        )
    if not item.get("manage_stock"):
        return not_managed(session, movement, "inventory_delta")
    before = int(item.get("stock_quantity") or 0)
    key = META_PREFIX + movement.idempotency_key
    marker = {"quantity": movement.quantity, "movement": movement.id, "before": before}
    client.put(
        endpoint,
        {
            "inventory_delta": movement.quantity,
            "meta_data": [{"key": key, "value": json.dumps(marker)}],
        },
    )
    after = int(_mirror_item(session, client, shop, variant).get("stock_quantity") or 0)
    if after == before and movement.quantity:
        # The store kept the marker and ignored the delta: say so on the marker, so a
        # retry does not take it for an applied movement.
        client.put(endpoint, {"meta_data": [{"key": key, "value": json.dumps({"ignored": True})}]})
        raise WooFatalError(
            f"this store (WooCommerce {shown}) ignored inventory_delta: the stock read back"
            " did not change: install the Reshelf Returns plugin"
        )
    return StoreAnswer(
        reference=movement.idempotency_key,
        quantity_after=after,
        # Exact when nothing else changed the stock between the read and the read-back.
        raw={
            "via": "inventory_delta",
            "already_applied": False,
            "verified": after == before + movement.quantity,
        },
    )


def read_stock(client: WooClient, variant: Variant) -> int:
    """The item's stock quantity on the store now (0 when it does not manage stock)."""
    return int(client.get(item_endpoint(variant)).get("stock_quantity") or 0)
