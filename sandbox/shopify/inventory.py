"""``inventoryAdjustQuantities`` and the stock changes other mutations cause.

https://shopify.dev/docs/api/admin-graphql/latest/mutations/inventoryAdjustQuantities and
https://shopify.dev/docs/apps/build/orders-fulfillment/inventory-management-apps/manage-quantities-states:
``changeFromQuantity`` must be present on every change (``null`` skips the check); when it
is not the current quantity the whole mutation fails with ``CHANGE_FROM_QUANTITY_STALE``
and nothing changes. Adjusting ``available`` moves ``on_hand`` with it; names other than
``available`` need a ``ledgerDocumentUri``.
"""

from __future__ import annotations

from typing import Any

from sandbox.shopify.connections import gid, parse_gid
from sandbox.shopify.executor import View
from sandbox.shopify.graphql_api import Context, mutation
from sandbox.shopify.payloads import inventory_level_payload
from sandbox.shopify.state import Shop, next_id
from sandbox.shopify.views import inventory_item_view, location_view

REASONS = {
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_created",
    "movement_updated",
    "movement_received",
    "movement_canceled",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
}
NAMES = {
    "available",
    "damaged",
    "incoming",
    "on_hand",
    "quality_control",
    "reserved",
    "safety_stock",
}


def adjust(shop: Shop, item_id: int, location_id: int, name: str, delta: int) -> int:
    """Apply ``delta`` to one quantity (``available`` carries ``on_hand``); return the new value."""
    quantities = shop.inventory.setdefault((item_id, location_id), {"available": 0, "on_hand": 0})
    quantities[name] = quantities.get(name, 0) + delta
    if name == "available":
        quantities["on_hand"] = quantities.get("on_hand", 0) + delta
    return quantities[name]


def _user_error(code: str, message: str, field: list[str]) -> View:
    return {
        "__typename": "InventoryAdjustQuantitiesUserError",
        "code": code,
        "message": message,
        "field": field,
    }


def _check(shop: Shop, data: dict[str, Any]) -> list[View]:
    name, reason = data.get("name"), data.get("reason")
    if reason not in REASONS:
        return [
            _user_error("INVALID_REASON", "The specified reason is invalid.", ["input", "reason"])
        ]
    if name not in NAMES:
        return [
            _user_error("INVALID_QUANTITY_NAME", "The quantity name is invalid.", ["input", "name"])
        ]
    errors = []
    for index, change in enumerate(data.get("changes") or []):
        where = ["input", "changes", str(index)]
        key = (
            parse_gid(change["inventoryItemId"], "InventoryItem"),
            parse_gid(change["locationId"], "Location"),
        )
        if name != "available" and not change.get("ledgerDocumentUri"):
            errors.append(
                _user_error("INVALID_LEDGER_DOCUMENT", "A ledger document URI is required.", where)
            )
        elif key not in shop.inventory:
            errors.append(
                _user_error(
                    "ITEM_NOT_STOCKED_AT_LOCATION",
                    "The item is not stocked at the location.",
                    where,
                )
            )
        elif "changeFromQuantity" not in change:
            errors.append(
                _user_error("INVALID_QUANTITY_DOCUMENT", "changeFromQuantity is required.", where)
            )
        elif (
            change["changeFromQuantity"] is not None
            and shop.inventory[key].get(str(name), 0) != change["changeFromQuantity"]
        ):
            errors.append(
                _user_error(
                    "CHANGE_FROM_QUANTITY_STALE",
                    "The changeFromQuantity value is stale: the quantity was not updated.",
                    [*where, "changeFromQuantity"],
                )
            )
    return errors


@mutation("inventoryAdjustQuantities")
def inventory_adjust_quantities(ctx: Context, args: dict[str, Any]) -> View:
    """Adjust named quantities, all or nothing."""
    shop, data = ctx.shop, args["input"]
    errors = _check(shop, data)
    if errors:
        return {
            "__typename": "InventoryAdjustQuantitiesPayload",
            "inventoryAdjustmentGroup": None,
            "userErrors": errors,
        }
    changes = []
    for change in data["changes"]:
        item_id = parse_gid(change["inventoryItemId"], "InventoryItem")
        location_id = parse_gid(change["locationId"], "Location")
        after = adjust(shop, item_id, location_id, data["name"], change["delta"])
        changes.append(
            {
                "__typename": "InventoryChange",
                "name": data["name"],
                "delta": change["delta"],
                "quantityAfterChange": after,
                "ledgerDocumentUri": change.get("ledgerDocumentUri"),
                "item": inventory_item_view(shop, item_id),
                "location": location_view(shop.locations[location_id]),
            }
        )
        ctx.emulator.emit(
            shop, "inventory_levels/update", inventory_level_payload(shop, item_id, location_id)
        )
    group = {
        "__typename": "InventoryAdjustmentGroup",
        "id": gid("InventoryAdjustmentGroup", next_id()),
        "reason": data["reason"],
        "referenceDocumentUri": data.get("referenceDocumentUri"),
        "changes": changes,
    }
    return {
        "__typename": "InventoryAdjustQuantitiesPayload",
        "inventoryAdjustmentGroup": group,
        "userErrors": [],
    }
