"""Apply stock movements to Shopify exactly once (refunds: see ``money``).

- A line of a Shopify return is restocked by disposing its reverse fulfillment order line
  as ``RESTOCKED`` at the location
  (https://shopify.dev/docs/api/admin-graphql/latest/mutations/reverseFulfillmentOrderDispose).
- An order with no Shopify return restocks with ``inventoryAdjustQuantities``
  (``reason: "restock"``) and ``changeFromQuantity`` set to the quantity just read; a stale
  comparison is re-read and retried (https://shopify.dev/docs/apps/build/orders-fulfillment/inventory-management-apps/manage-quantities-states#compare-and-swap).
Every mutation carries the movement's idempotency key as ``@idempotent(key:)``
(https://shopify.dev/docs/api/usage/idempotent-requests), so a retry never repeats it.
"""

from __future__ import annotations

from typing import Any

from connectors.shopify.client import Api, user_errors
from core.errors import FatalStoreError, RetriableStoreError
from core.models import Location, ReturnLine, StockMovement, Variant
from core.ports import StoreAnswer

CAS_ATTEMPTS = 5


def read_available(api: Api, variant: Variant, location: Location) -> int:
    """Units available for ``variant`` at ``location`` on Shopify now."""
    if not variant.inventory_item_id:
        raise FatalStoreError(
            f"variant {variant.sku or variant.platform_id} has no inventory item; sync it"
        )
    item = api("inventory_levels", {"id": variant.inventory_item_id})["inventoryItem"]
    for level in (item or {}).get("inventoryLevels", {}).get("nodes", []):
        if level["location"]["id"] == location.platform_id:
            return int(next(q["quantity"] for q in level["quantities"] if q["name"] == "available"))
    raise FatalStoreError(f"{variant.sku or variant.platform_id} is not stocked at {location.name}")


def _rfo_lines(api: Api, return_id: str) -> list[dict[str, Any]]:
    data = api("return_lines", {"id": return_id})["return"]
    return [
        line
        for rfo in data["reverseFulfillmentOrders"]["nodes"]
        for line in rfo["lineItems"]["nodes"]
    ]


def _rfo_line_for(api: Api, return_id: str, line: ReturnLine) -> dict[str, Any]:
    for rfo_line in _rfo_lines(api, return_id):
        if rfo_line["fulfillmentLineItem"]["lineItem"]["id"] == line.order_line.platform_id:
            return rfo_line
    raise FatalStoreError(f"Shopify's return has no line for {line.order_line.title}")


def apply_movement(api: Api, movement: StockMovement) -> StoreAnswer:
    """Restock a movement's units on Shopify, once."""
    request = movement.return_line.request if movement.return_line else None
    if request is not None and request.platform_return_id and movement.return_line is not None:
        rfo_line = _rfo_line_for(api, request.platform_return_id, movement.return_line)
        disposition = {
            "reverseFulfillmentOrderLineItemId": rfo_line["id"],
            "quantity": movement.quantity,
            "dispositionType": "RESTOCKED",
            "locationId": movement.location.platform_id,
        }
        answer = api(
            "reverse_fulfillment_order_dispose",
            {"dispositions": [disposition], "key": movement.idempotency_key},
        )
        payload = answer["reverseFulfillmentOrderDispose"]
        if user_errors(payload):
            raise FatalStoreError(f"dispose: {user_errors(payload)[0]['message']}")
        after = read_available(api, movement.variant, movement.location)
        return StoreAnswer(reference=rfo_line["id"], quantity_after=after, raw=payload)
    return _adjust(api, movement)


def _adjust(api: Api, movement: StockMovement) -> StoreAnswer:
    for _ in range(CAS_ATTEMPTS):
        current = read_available(api, movement.variant, movement.location)
        change = {
            "inventoryItemId": movement.variant.inventory_item_id,
            "locationId": movement.location.platform_id,
            "delta": movement.quantity,
            "changeFromQuantity": current,
        }
        data = {
            "name": "available",
            "reason": "restock",
            "changes": [change],
            "referenceDocumentUri": f"gid://reshelf/StockMovement/{movement.id}",
        }
        answer = api("inventory_adjust", {"input": data, "key": movement.idempotency_key})
        payload = answer["inventoryAdjustQuantities"]
        errors = user_errors(payload)
        codes = {e.get("code") for e in errors}
        if "CHANGE_FROM_QUANTITY_STALE" in codes:
            continue  # someone sold or counted meanwhile: read again, same key
        if "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" in codes:
            # This key already took effect, with the quantity read before a lost answer.
            return StoreAnswer(
                quantity_after=current, raw={"already_applied": movement.idempotency_key}
            )
        if errors:
            raise FatalStoreError(
                f"inventory adjust: {errors[0]['message']} ({errors[0].get('code')})"
            )
        group = payload["inventoryAdjustmentGroup"]
        return StoreAnswer(
            reference=group["id"],
            quantity_after=group["changes"][0]["quantityAfterChange"],
            raw=payload,
        )
    raise RetriableStoreError("stock kept changing under the restock; will retry", retry_after=2)
