"""Views of the emulator's records in the Admin GraphQL API's shapes (field names as in 2026-04).

Each view is a dict with ``__typename``; connection fields are callables taking the field's
arguments. Object reference: https://shopify.dev/docs/api/admin-graphql/latest/objects
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.shopify import state as st
from sandbox.shopify.connections import connection, gid, matches_search, money_bag
from sandbox.shopify.executor import View


def iso(value: datetime | None) -> str | None:
    """DateTime scalars are ISO 8601 in UTC."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def location_view(location: st.Location) -> View:
    """A ``Location``."""
    return {"__typename": "Location", "id": gid("Location", location.id), "name": location.name}


def inventory_level_view(shop: st.Shop, item_id: int, location_id: int) -> View:
    """An ``InventoryLevel``: one item's named quantities at one location."""
    quantities = shop.inventory.get((item_id, location_id), {})

    def resolve_quantities(args: dict[str, Any]) -> list[View]:
        return [
            {"__typename": "InventoryQuantity", "name": name, "quantity": quantities.get(name, 0)}
            for name in args.get("names") or []
        ]

    return {
        "__typename": "InventoryLevel",
        "id": f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item_id}",
        "location": location_view(shop.locations[location_id]),
        "item": lambda _: inventory_item_view(shop, item_id),
        "quantities": resolve_quantities,
    }


def inventory_item_view(shop: st.Shop, item_id: int) -> View:
    """An ``InventoryItem`` with its levels per location."""
    variant = shop.variant_by_inventory_item(item_id)
    levels = [(loc, loc) for (item, loc) in shop.inventory if item == item_id]
    return {
        "__typename": "InventoryItem",
        "id": gid("InventoryItem", item_id),
        "legacyResourceId": str(item_id),
        "sku": variant.sku if variant else None,
        "tracked": True,
        "inventoryLevel": lambda args: inventory_level_view(
            shop, item_id, int(str(args["locationId"]).rsplit("/", 1)[1])
        ),
        "inventoryLevels": lambda args: connection(
            levels, args, lambda loc: inventory_level_view(shop, item_id, loc), "InventoryLevel"
        ),
    }


def product_view(product: st.Product) -> View:
    """A ``Product``."""
    return {
        "__typename": "Product",
        "id": gid("Product", product.id),
        "title": product.title,
        "productType": product.product_type,
        "vendor": product.vendor,
        "tags": product.tags,
        "updatedAt": iso(product.updated_at),
    }


def variant_view(shop: st.Shop, variant: st.Variant) -> View:
    """A ``ProductVariant``."""
    return {
        "__typename": "ProductVariant",
        "id": gid("ProductVariant", variant.id),
        "legacyResourceId": str(variant.id),
        "title": variant.title,
        "displayName": f"{shop.products[variant.product_id].title} - {variant.title}",
        "sku": variant.sku,
        "price": str(variant.price),
        "updatedAt": iso(variant.updated_at),
        "product": product_view(shop.products[variant.product_id]),
        "inventoryItem": lambda _: inventory_item_view(shop, variant.inventory_item_id),
    }


def customer_view(customer: st.Customer) -> View:
    """A ``Customer``."""
    email = {"__typename": "CustomerEmailAddress", "emailAddress": customer.email}
    return {
        "__typename": "Customer",
        "id": gid("Customer", customer.id),
        "legacyResourceId": str(customer.id),
        "email": customer.email,
        "defaultEmailAddress": email,
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "displayName": f"{customer.first_name} {customer.last_name}".strip() or customer.email,
        "phone": customer.phone,
        "tags": customer.tags,
        "createdAt": iso(customer.created_at),
        "updatedAt": iso(customer.updated_at),
    }


def line_item_view(shop: st.Shop, order: st.Order, line: st.LineItem) -> View:
    """A ``LineItem``."""
    variant = shop.variants.get(line.variant_id) if line.variant_id else None
    unit = line.price - line.discount / line.quantity if line.quantity else line.price
    return {
        "__typename": "LineItem",
        "id": gid("LineItem", line.id),
        "title": line.title,
        "name": line.title,
        "sku": line.sku,
        "quantity": line.quantity,
        "currentQuantity": line.quantity
        - sum(q for r in order.refunds for li, q in r.lines if li == line.id),
        "variant": variant_view(shop, variant) if variant else None,
        "originalUnitPriceSet": money_bag(line.price, order.currency),
        "discountedUnitPriceAfterAllDiscountsSet": money_bag(unit, order.currency),
        "totalDiscountSet": money_bag(line.discount, order.currency),
    }


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


def fulfillment_line_view(
    shop: st.Shop, order: st.Order, fli: st.FulfillmentLineItem, line: st.LineItem
) -> View:
    """A ``FulfillmentLineItem``."""
    return {
        "__typename": "FulfillmentLineItem",
        "id": gid("FulfillmentLineItem", fli.id),
        "quantity": fli.quantity,
        "lineItem": line_item_view(shop, order, line),
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
    from sandbox.shopify.return_views import return_view

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
        "displayFulfillmentStatus": "FULFILLED" if order.fulfillments else "UNFULFILLED",
        "totalPriceSet": money_bag(order.total(), order.currency),
        "shippingAddress": address if order.shipping_country else None,
        "customer": customer_view(customer) if customer else None,
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


def orders_connection(shop: st.Shop, args: dict[str, Any]) -> View:
    """``orders`` filtered by its search ``query``."""
    items = [
        (o.id, o)
        for o in shop.orders.values()
        if matches_search(order_search_fields(o), args.get("query"))
    ]
    return connection(items, args, lambda o: order_view(shop, o), "Order")
