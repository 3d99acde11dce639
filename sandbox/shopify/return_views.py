"""Views of returns and reverse fulfillment orders.

https://shopify.dev/docs/api/admin-graphql/latest/objects/Return and
https://shopify.dev/docs/api/admin-graphql/latest/objects/ReverseFulfillmentOrder
"""

from __future__ import annotations

from sandbox.shopify import state as st
from sandbox.shopify.connections import connection, gid
from sandbox.shopify.executor import View
from sandbox.shopify.line_views import fulfillment_line_view
from sandbox.shopify.reasons import reason_view
from sandbox.shopify.views import iso, location_view


def _fulfillment_line(shop: st.Shop, fli_id: int) -> View | None:
    found = shop.fulfillment_line(fli_id)
    if found is None:
        return None
    order, fli = found
    line = next(li for li in order.line_items if li.id == fli.line_item_id)
    return fulfillment_line_view(shop, order, fli, line)


def return_line_view(shop: st.Shop, line: st.ReturnLineItem) -> View:
    """A ``ReturnLineItem``."""
    return {
        "__typename": "ReturnLineItem",
        "__implements": ("ReturnLineItemType",),
        "id": gid("ReturnLineItem", line.id),
        "quantity": line.quantity,
        "processedQuantity": line.processed_quantity,
        "unprocessedQuantity": line.quantity - line.processed_quantity,
        "processableQuantity": line.quantity - line.processed_quantity,
        "customerNote": line.customer_note,
        "returnReasonNote": "",
        "returnReasonDefinition": reason_view(line.reason_definition_id)
        if line.reason_definition_id
        else None,
        "fulfillmentLineItem": lambda _: _fulfillment_line(shop, line.fulfillment_line_item_id),
    }


def disposition_view(shop: st.Shop, disposition: st.Disposition, index: int) -> View:
    """A ``ReverseFulfillmentOrderDisposition``."""
    location = shop.locations.get(disposition.location_id) if disposition.location_id else None
    return {
        "__typename": "ReverseFulfillmentOrderDisposition",
        "id": gid("ReverseFulfillmentOrderDisposition", index),
        "type": disposition.type,
        "quantity": disposition.quantity,
        "location": location_view(location) if location else None,
    }


def rfo_line_view(shop: st.Shop, line: st.ReverseFulfillmentOrderLineItem) -> View:
    """A ``ReverseFulfillmentOrderLineItem``."""
    return {
        "__typename": "ReverseFulfillmentOrderLineItem",
        "id": gid("ReverseFulfillmentOrderLineItem", line.id),
        "totalQuantity": line.total_quantity,
        "dispositions": [
            disposition_view(shop, d, line.id * 100 + i) for i, d in enumerate(line.dispositions)
        ],
        "fulfillmentLineItem": lambda _: _fulfillment_line(shop, line.fulfillment_line_item_id),
    }


def rfo_view(shop: st.Shop, rfo: st.ReverseFulfillmentOrder) -> View:
    """A ``ReverseFulfillmentOrder``."""
    return {
        "__typename": "ReverseFulfillmentOrder",
        "id": gid("ReverseFulfillmentOrder", rfo.id),
        "status": rfo.status,
        "lineItems": lambda args: connection(
            [(li.id, li) for li in rfo.lines],
            args,
            lambda li: rfo_line_view(shop, li),
            "ReverseFulfillmentOrderLineItem",
        ),
    }


def return_view(shop: st.Shop, ret: st.Return) -> View:
    """A ``Return``."""
    decline = (
        {"__typename": "ReturnDecline", "reason": ret.decline_reason, "note": ret.decline_note}
        if ret.decline_reason
        else None
    )
    return {
        "__typename": "Return",
        "id": gid("Return", ret.id),
        "name": ret.name,
        "status": ret.status,
        "createdAt": iso(ret.created_at),
        "closedAt": iso(ret.closed_at),
        "totalQuantity": sum(li.quantity for li in ret.lines),
        "decline": decline,
        "order": {"__typename": "Order", "id": gid("Order", ret.order_id)},
        "returnLineItems": lambda args: connection(
            [(li.id, li) for li in ret.lines],
            args,
            lambda li: return_line_view(shop, li),
            "ReturnLineItemType",
        ),
        "reverseFulfillmentOrders": lambda args: connection(
            [(r.id, r) for r in ret.reverse_fulfillment_orders],
            args,
            lambda r: rfo_view(shop, r),
            "ReverseFulfillmentOrder",
        ),
    }
