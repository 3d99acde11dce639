"""Views of orders: lines, fulfillments, refunds, transactions, and the ``orders`` search.

https://shopify.dev/docs/api/admin-graphql/latest/objects/Order
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sandbox.shopify import state as st
from sandbox.shopify.connections import connection, gid, money_bag, search_connection
from sandbox.shopify.executor import View
from sandbox.shopify.line_views import fulfillment_line_view, line_item_view
from sandbox.shopify.return_views import return_view
from sandbox.shopify.views import customer_view, iso, location_view


def fulfillment_view(shop: st.Shop, order: st.Order, fulfillment: st.Fulfillment) -> View:
    """A ``Fulfillment`` with its ``fulfillmentLineItems`` connection."""
    lines = {li.id: li for li in order.line_items}

    def fli_view(fli: st.FulfillmentLineItem) -> View:
        return fulfillment_line_view(shop, order, fli, lines[fli.line_item_id])

    return {
        "__typename": "Fulfillment",
        "id": gid("Fulfillment", fulfillment.id),
        "status": fulfillment.status,
        "createdAt": iso(fulfillment.created_at),
        "deliveredAt": iso(fulfillment.delivered_at),
        "location": location_view(shop.locations[fulfillment.location_id]),
        "fulfillmentLineItems": lambda args: connection(
            [(f.id, f) for f in fulfillment.lines], args, fli_view, "FulfillmentLineItem"
        ),
    }


def refund_view(order: st.Order, refund: st.Refund) -> View:
    """A ``Refund``."""
    return {
        "__typename": "Refund",
        "id": gid("Refund", refund.id),
        "note": refund.note,
        "createdAt": iso(refund.created_at),
        "totalRefundedSet": money_bag(refund.amount, order.currency),
        "return": {"__typename": "Return", "id": gid("Return", refund.return_id)}
        if refund.return_id
        else None,
        "refundLineItems": lambda args: connection(
            [(li, (li, q)) for li, q in refund.lines],
            args,
            lambda pair: {
                "__typename": "RefundLineItem",
                "quantity": pair[1],
                "lineItem": {"__typename": "LineItem", "id": gid("LineItem", pair[0])},
            },
            "RefundLineItem",
        ),
    }


def order_view(shop: st.Shop, order: st.Order) -> View:
    """An ``Order`` with its lines, fulfillments, refunds and returns."""
    customer = shop.customers.get(order.customer_id) if order.customer_id else None
    address = {"__typename": "MailingAddress", "countryCodeV2": order.shipping_country}
    return {
        "__typename": "Order",
        "id": gid("Order", order.id),
        "legacyResourceId": str(order.id),
        "name": order.name,
        "email": order.email,
        "createdAt": iso(order.created_at),
        "processedAt": iso(order.created_at),
        "updatedAt": iso(order.updated_at),
        "cancelledAt": iso(order.cancelled_at),
        "tags": order.tags,
        "note": order.note,
        "currencyCode": order.currency,
        "displayFinancialStatus": order.financial_status,
        "paymentGatewayNames": ["manual"],
        "displayFulfillmentStatus": "FULFILLED" if order.fulfillments else "UNFULFILLED",
        "totalPriceSet": money_bag(order.total(), order.currency),
        "shippingAddress": address if order.shipping_country else None,
        "customer": customer_view(customer, shop) if customer else None,
        "lineItems": lambda args: connection(
            [(li.id, li) for li in order.line_items],
            args,
            lambda li: line_item_view(shop, order, li),
            "LineItem",
        ),
        "fulfillments": lambda args: [
            fulfillment_view(shop, order, f) for f in order.fulfillments[: args.get("first")]
        ],
        "transactions": lambda args: [
            {
                "__typename": "OrderTransaction",
                "id": gid("OrderTransaction", order.id),
                "kind": "SALE",
                "status": "SUCCESS",
                "gateway": "manual",
                "amountSet": money_bag(order.total(), order.currency),
            }
        ],
        "refunds": lambda args: [refund_view(order, r) for r in order.refunds[: args.get("first")]],
        "returns": lambda args: connection(
            [(r.id, r) for r in shop.returns.values() if r.order_id == order.id],
            args,
            lambda r: return_view(shop, r),
            "Return",
        ),
    }


def order_search_fields(order: st.Order) -> dict[str, Any]:
    """What ``orders(query:)`` can filter on."""
    return {
        "id": order.id,
        "name": order.name,
        "email": order.email,
        "updated_at": order.updated_at,
        "created_at": order.created_at,
    }


# Without read_all_orders, only the last 60 days of orders exist for the app:
# https://shopify.dev/docs/api/admin-graphql/latest/objects/Order ("Only the last 60 days")
RECENT_ORDERS = timedelta(days=60)


def recent(order: st.Order) -> bool:
    """Whether an app without ``read_all_orders`` may see the order."""
    return order.created_at >= st.utcnow() - RECENT_ORDERS


def orders_connection(shop: st.Shop, args: dict[str, Any], all_orders: bool = True) -> View:
    """``orders`` filtered by its search ``query`` (and by age without ``read_all_orders``)."""
    return search_connection(
        shop.orders,
        args,
        order_search_fields,
        lambda o: order_view(shop, o),
        "Order",
        visible=(lambda _: True) if all_orders else recent,
    )
