"""Views of an order's lines, alone and as fulfilled: what orders and returns both show.

https://shopify.dev/docs/api/admin-graphql/latest/objects/LineItem
https://shopify.dev/docs/api/admin-graphql/latest/objects/FulfillmentLineItem
"""

from __future__ import annotations

from sandbox.shopify import state as st
from sandbox.shopify.connections import gid, money_bag
from sandbox.shopify.executor import View
from sandbox.shopify.views import variant_view


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
