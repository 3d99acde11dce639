"""Webhook bodies: the REST resource shapes Shopify sends per topic.

https://shopify.dev/docs/api/webhooks (each topic's sample payload). Only the fields Reshelf
reads, plus ids, are filled; numbers are numbers and money amounts are strings, as there.
"""

from __future__ import annotations

from typing import Any

from sandbox.shopify import state as st
from sandbox.shopify.connections import gid
from sandbox.shopify.views import iso


def customer_payload(customer: st.Customer) -> dict[str, Any]:
    """``customers/create``, ``customers/update`` and the ``customer`` of an order."""
    return {
        "id": customer.id,
        "admin_graphql_api_id": gid("Customer", customer.id),
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "phone": customer.phone,
        "tags": ", ".join(customer.tags),
        "created_at": iso(customer.created_at),
        "updated_at": iso(customer.updated_at),
    }


def order_payload(shop: st.Shop, order: st.Order) -> dict[str, Any]:
    """``orders/create``, ``orders/updated``, ``orders/cancelled``, ``orders/fulfilled``."""
    customer = shop.customers.get(order.customer_id) if order.customer_id else None
    return {
        "id": order.id,
        "admin_graphql_api_id": gid("Order", order.id),
        "name": order.name,
        "email": order.email,
        "currency": order.currency,
        "created_at": iso(order.created_at),
        "updated_at": iso(order.updated_at),
        "processed_at": iso(order.created_at),
        "cancelled_at": iso(order.cancelled_at),
        "financial_status": order.financial_status.lower(),
        "payment_gateway_names": ["manual"],
        "fulfillment_status": "fulfilled" if order.fulfillments else None,
        "tags": ", ".join(order.tags),
        "note": order.note,
        "total_price": str(order.total()),
        "customer": customer_payload(customer) if customer else None,
        "shipping_address": {"country_code": order.shipping_country}
        if order.shipping_country
        else None,
        "line_items": [_line_payload(shop, line) for line in order.line_items],
        "fulfillments": [
            {
                "id": f.id,
                "admin_graphql_api_id": gid("Fulfillment", f.id),
                "created_at": iso(f.created_at),
                "location_id": f.location_id,
                "status": f.status.lower(),
                "line_items": [
                    {"id": fli.line_item_id, "quantity": fli.quantity} for fli in f.lines
                ],
            }
            for f in order.fulfillments
        ],
        "refunds": [refund_payload(order, r) for r in order.refunds],
    }


def _line_payload(shop: st.Shop, line: st.LineItem) -> dict[str, Any]:
    variant = shop.variants.get(line.variant_id) if line.variant_id else None
    return {
        "id": line.id,
        "admin_graphql_api_id": gid("LineItem", line.id),
        "variant_id": line.variant_id,
        "product_id": variant.product_id if variant else None,
        "title": line.title,
        "name": line.title,
        "sku": line.sku,
        "quantity": line.quantity,
        "price": str(line.price),
        "total_discount": str(line.discount),
    }


def refund_payload(order: st.Order, refund: st.Refund) -> dict[str, Any]:
    """``refunds/create``."""
    return {
        "id": refund.id,
        "admin_graphql_api_id": gid("Refund", refund.id),
        "order_id": order.id,
        "created_at": iso(refund.created_at),
        "processed_at": iso(refund.created_at),
        "note": refund.note,
        "return": {"id": refund.return_id, "admin_graphql_api_id": gid("Return", refund.return_id)}
        if refund.return_id
        else None,
        "refund_line_items": [
            {"line_item_id": line_id, "quantity": quantity} for line_id, quantity in refund.lines
        ],
        "transactions": [
            {
                "kind": "refund",
                "status": "success",
                "amount": str(refund.amount),
                "currency": order.currency,
                "gateway": "store-credit" if refund.store_credit else "manual",
            }
        ],
    }


def return_payload(ret: st.Return) -> dict[str, Any]:
    """``returns/request``, ``returns/approve``, ``returns/decline``, ``returns/close``..."""
    return {
        "id": ret.id,
        "admin_graphql_api_id": gid("Return", ret.id),
        "status": ret.status.lower(),
        "name": ret.name,
        "order": {"id": ret.order_id, "admin_graphql_api_id": gid("Order", ret.order_id)},
        "total_return_line_items": len(ret.lines),
        "return_line_items": [
            {
                "id": line.id,
                "admin_graphql_api_id": gid("ReturnLineItem", line.id),
                "fulfillment_line_item": {
                    "id": line.fulfillment_line_item_id,
                    "admin_graphql_api_id": gid(
                        "FulfillmentLineItem", line.fulfillment_line_item_id
                    ),
                },
                "quantity": line.quantity,
                "customer_note": line.customer_note,
            }
            for line in ret.lines
        ],
        "decline": {"reason": ret.decline_reason.lower(), "note": ret.decline_note}
        if ret.decline_reason
        else None,
    }


def dispose_payload(
    rfo: st.ReverseFulfillmentOrder, disposed: list[tuple[int, st.Disposition]]
) -> dict[str, Any]:
    """``reverse_fulfillment_orders/dispose``."""
    return {
        "id": rfo.id,
        "admin_graphql_api_id": gid("ReverseFulfillmentOrder", rfo.id),
        "dispositions": [
            {
                "reverse_fulfillment_order_line_item": {
                    "id": line_id,
                    "admin_graphql_api_id": gid("ReverseFulfillmentOrderLineItem", line_id),
                },
                "type": d.type.lower(),
                "location": {
                    "id": d.location_id,
                    "admin_graphql_api_id": gid("Location", d.location_id),
                }
                if d.location_id
                else None,
                "quantity": d.quantity,
            }
            for line_id, d in disposed
        ],
        "total_dispositions": len(disposed),
    }


def inventory_level_payload(shop: st.Shop, item_id: int, location_id: int) -> dict[str, Any]:
    """``inventory_levels/update``."""
    return {
        "inventory_item_id": item_id,
        "location_id": location_id,
        "available": shop.inventory.get((item_id, location_id), {}).get("available"),
        "updated_at": iso(st.utcnow()),
        "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item_id}",
    }


def bulk_finish_payload(operation: st.BulkOperation) -> dict[str, Any]:
    """``bulk_operations/finish``."""
    return {
        "admin_graphql_api_id": gid("BulkOperation", operation.id),
        "completed_at": iso(operation.completed_at),
        "created_at": iso(operation.created_at),
        "error_code": operation.error_code,
        "status": operation.status.lower(),
        "type": "query",
    }


def shop_payload(shop: st.Shop) -> dict[str, Any]:
    """``app/uninstalled`` (the shop resource)."""
    return {
        "id": shop.id,
        "name": shop.name,
        "myshopify_domain": shop.domain,
        "domain": shop.domain,
        "currency": shop.currency,
        "plan_name": shop.plan,
    }
