"""Views of the emulator's records in the Admin GraphQL API's shapes (field names as in 2026-04).

Each view is a dict with ``__typename``; connection fields are callables taking the field's
arguments. Object reference: https://shopify.dev/docs/api/admin-graphql/latest/objects
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.shopify import state as st
from sandbox.shopify.connections import connection, gid, money
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
        "collections": lambda args: connection(
            [(i, handle) for i, handle in enumerate(product.collections, 1)],
            args,
            lambda handle: {"__typename": "Collection", "handle": handle, "title": handle},
            "Collection",
        ),
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


def customer_view(customer: st.Customer, shop: st.Shop | None = None) -> View:
    """A ``Customer`` (with its order count and spend when the shop is given)."""
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
        "numberOfOrders": lambda _: str(len(_orders_of(shop, customer))),
        "amountSpent": lambda _: money(
            sum((o.total() for o in _orders_of(shop, customer)), Decimal()),
            shop.currency if shop else "USD",
        ),
    }


def _orders_of(shop: st.Shop | None, customer: st.Customer) -> list[st.Order]:
    if shop is None:
        return []
    return [o for o in shop.orders.values() if o.customer_id == customer.id and not o.cancelled_at]
