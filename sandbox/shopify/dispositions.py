"""``reverseFulfillmentOrderDispose``: what became of returned units.

https://shopify.dev/docs/api/admin-graphql/latest/mutations/reverseFulfillmentOrderDispose:
each disposition covers a quantity of a reverse fulfillment order line, at most what is left
to dispose; ``RESTOCKED`` needs a location and puts the units back on sale there (sending
``inventory_levels/update``); every disposition sends ``reverse_fulfillment_orders/dispose``.
"""

from __future__ import annotations

from typing import Any

from sandbox.shopify import state as st
from sandbox.shopify.connections import parse_gid
from sandbox.shopify.executor import View
from sandbox.shopify.graphql_api import Context, mutation
from sandbox.shopify.inventory import adjust
from sandbox.shopify.payloads import dispose_payload, inventory_level_payload
from sandbox.shopify.return_views import rfo_line_view
from sandbox.shopify.returns import user_error


def _inventory_item(shop: st.Shop, fli_id: int) -> int:
    """The inventory item of the variant a fulfillment line item shipped."""
    found = shop.fulfillment_line(fli_id)
    assert found is not None
    order, fli = found
    variant_id = next(li.variant_id for li in order.line_items if li.id == fli.line_item_id)
    return shop.variants[variant_id].inventory_item_id if variant_id else 0


def dispose(ctx: Context, inputs: list[dict[str, Any]]) -> tuple[list[View], list[View]]:
    """Apply dispositions, all or nothing; return the disposed lines' views and errors."""
    shop = ctx.shop
    found: list[
        tuple[st.ReverseFulfillmentOrder, st.ReverseFulfillmentOrderLineItem, dict[str, Any]]
    ] = []
    for index, item in enumerate(inputs):
        line_id = parse_gid(
            item["reverseFulfillmentOrderLineItemId"], "ReverseFulfillmentOrderLineItem"
        )
        match = [
            (rfo, li)
            for ret in shop.returns.values()
            for rfo in ret.reverse_fulfillment_orders
            for li in rfo.lines
            if li.id == line_id
        ]
        where = ["dispositionInputs", str(index)]
        if not match:
            return [], [
                user_error(
                    "NOT_FOUND", "Reverse fulfillment order line item does not exist.", where
                )
            ]
        rfo, line = match[0]
        if (
            item["quantity"] < 1
            or item["quantity"] > line.total_quantity - line.disposed_quantity()
        ):
            return [], [
                user_error(
                    "INVALID", "Quantity exceeds what is left to dispose.", [*where, "quantity"]
                )
            ]
        if item["dispositionType"] == "RESTOCKED" and not item.get("locationId"):
            return [], [
                user_error("BLANK", "Location is required to restock.", [*where, "locationId"])
            ]
        found.append((rfo, line, item))
    views = []
    for rfo, line, item in found:
        location_id = parse_gid(item["locationId"], "Location") if item.get("locationId") else None
        disposition = st.Disposition(item["dispositionType"], item["quantity"], location_id)
        line.dispositions.append(disposition)
        if disposition.type == "RESTOCKED" and location_id is not None:
            item_id = _inventory_item(shop, line.fulfillment_line_item_id)
            adjust(shop, item_id, location_id, "available", disposition.quantity)
            ctx.emulator.emit(
                shop, "inventory_levels/update", inventory_level_payload(shop, item_id, location_id)
            )
        ctx.emulator.emit(
            shop,
            "reverse_fulfillment_orders/dispose",
            dispose_payload(rfo, [(line.id, disposition)]),
        )
        views.append(rfo_line_view(shop, line))
    return views, []


@mutation("reverseFulfillmentOrderDispose")
def reverse_fulfillment_order_dispose(ctx: Context, args: dict[str, Any]) -> View:
    """Say what happened to returned units: restocked at a location, or not."""
    views, errors = dispose(ctx, args["dispositionInputs"])
    return {
        "__typename": "ReverseFulfillmentOrderDisposePayload",
        "reverseFulfillmentOrderLineItems": views if not errors else None,
        "userErrors": errors,
    }
