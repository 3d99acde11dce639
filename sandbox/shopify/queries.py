"""``QueryRoot`` fields Reshelf reads.

https://shopify.dev/docs/api/admin-graphql/latest/queries (orders, order, customers,
productVariants, locations, inventoryItem, return, returnReasonDefinitions, bulkOperation,
currentBulkOperation, node, shop).
"""

from __future__ import annotations

from typing import Any

from sandbox.shopify.bulk import bulk_operation_view
from sandbox.shopify.connections import connection, gid, gid_type, parse_gid, search_connection
from sandbox.shopify.executor import View
from sandbox.shopify.graphql_api import Context, query
from sandbox.shopify.order_views import order_view, orders_connection, recent
from sandbox.shopify.reasons import REASON_DEFINITIONS, reason_view
from sandbox.shopify.return_views import return_view
from sandbox.shopify.views import customer_view, inventory_item_view, location_view, variant_view


@query("shop")
def shop(ctx: Context, args: dict[str, Any]) -> View:
    """The shop itself."""
    return {
        "__typename": "Shop",
        "id": gid("Shop", ctx.shop.id),
        "name": ctx.shop.name,
        "myshopifyDomain": ctx.shop.domain,
        "currencyCode": ctx.shop.currency,
        "plan": {
            "__typename": "ShopPlan",
            "partnerDevelopment": False,
            "shopifyPlus": ctx.shop.plan == "plus",
            "publicDisplayName": ctx.shop.plan.title(),
        },
    }


@query("orders")
def orders(ctx: Context, args: dict[str, Any]) -> View:
    """Orders, paged and filtered by ``query`` (e.g. ``updated_at:>=...``)."""
    return orders_connection(ctx.shop, args, ctx.sees_all_orders())


@query("order")
def order(ctx: Context, args: dict[str, Any]) -> View | None:
    """One order by id, or null."""
    found = ctx.shop.orders.get(parse_gid(args["id"], "Order"))
    if found is None or not (ctx.sees_all_orders() or recent(found)):
        return None
    return order_view(ctx.shop, found)


@query("customers")
def customers(ctx: Context, args: dict[str, Any]) -> View:
    """Customers, paged and filtered by ``query``."""
    return search_connection(
        ctx.shop.customers,
        args,
        lambda c: {"id": c.id, "email": c.email, "updated_at": c.updated_at},
        lambda c: customer_view(c, ctx.shop),
        "Customer",
    )


@query("productVariants")
def product_variants(ctx: Context, args: dict[str, Any]) -> View:
    """Variants with their products, paged and filtered by ``query``."""
    return search_connection(
        ctx.shop.variants,
        args,
        lambda v: {"id": v.id, "sku": v.sku, "updated_at": v.updated_at},
        lambda v: variant_view(ctx.shop, v),
        "ProductVariant",
    )


@query("locations")
def locations(ctx: Context, args: dict[str, Any]) -> View:
    """The shop's locations."""
    return connection(
        [(loc.id, loc) for loc in ctx.shop.locations.values()], args, location_view, "Location"
    )


@query("inventoryItem")
def inventory_item(ctx: Context, args: dict[str, Any]) -> View | None:
    """One inventory item with its levels."""
    item_id = parse_gid(args["id"], "InventoryItem")
    if ctx.shop.variant_by_inventory_item(item_id) is None:
        return None
    return inventory_item_view(ctx.shop, item_id)


@query("return")
def get_return(ctx: Context, args: dict[str, Any]) -> View | None:
    """One return by id."""
    found = ctx.shop.returns.get(parse_gid(args["id"], "Return"))
    return return_view(ctx.shop, found) if found else None


@query("returnReasonDefinitions")
def return_reason_definitions(ctx: Context, args: dict[str, Any]) -> View:
    """The standardized return reasons (API 2026-01+)."""
    return connection(
        [(i, i) for i in REASON_DEFINITIONS], args, reason_view, "ReturnReasonDefinition"
    )


@query("bulkOperation")
def bulk_operation(ctx: Context, args: dict[str, Any]) -> View | None:
    """One bulk operation by id."""
    found = ctx.shop.bulk_operations.get(parse_gid(args["id"], "BulkOperation"))
    return bulk_operation_view(found) if found else None


@query("currentBulkOperation")
def current_bulk_operation(ctx: Context, args: dict[str, Any]) -> View | None:
    """The latest bulk operation."""
    if not ctx.shop.bulk_operations:
        return None
    return bulk_operation_view(ctx.shop.bulk_operations[max(ctx.shop.bulk_operations)])


@query("node")
def node(ctx: Context, args: dict[str, Any]) -> View | None:
    """Any supported object by global id."""
    resolvers = {
        "Order": order,
        "Return": get_return,
        "InventoryItem": inventory_item,
        "BulkOperation": bulk_operation,
    }
    resolver = resolvers.get(gid_type(args["id"]))
    return resolver(ctx, args) if resolver else None
