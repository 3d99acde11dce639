"""Products and variations as WooCommerce stores them: creating one, applying an update.

Sources: includes/rest-api/Controllers/Version3/class-wc-rest-products-controller.php
(prepare_object_for_database), includes/abstracts/abstract-wc-data.php (update_meta_data).
"""

from __future__ import annotations

from typing import Any

from .store import Resource, Store, WooError, money

_PLAIN_FIELDS = ("name", "sku", "status", "manage_stock", "tags", "categories", "attributes")


def _terms(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tags and categories as REST returns them: ``{id, name, slug}``."""
    terms = []
    for number, value in enumerate(values, start=1):
        name = str(value.get("name", value.get("slug", "")))
        slug = value.get("slug") or name.lower().replace(" ", "-")
        terms.append({"id": value.get("id", number), "name": name, "slug": slug})
    return terms


def apply_changes(site: Store, product: Resource, data: dict[str, Any]) -> None:
    """Write request fields onto a product or variation (``prepare_object_for_database``)."""
    for name in _PLAIN_FIELDS:
        if name in data:
            product[name] = _terms(data[name]) if name in ("tags", "categories") else data[name]
    for name in ("regular_price", "sale_price"):
        if name in data:
            product[name] = money(data[name]) if data[name] not in ("", None) else ""
    product["price"] = product.get("sale_price") or product.get("regular_price") or ""
    if "stock_quantity" in data and product.get("manage_stock"):
        product["stock_quantity"] = int(data["stock_quantity"])
    elif "inventory_delta" in data and product.get("manage_stock") and site.inventory_delta:
        # prepare_object_for_database() (class-wc-rest-product-variations-controller.php,
        # and the products controller alike): stock_quantity wins; else the delta is added
        # to the stock read at the start of the request, in the same save as the rest.
        product["stock_quantity"] = int(product.get("stock_quantity") or 0) + int(
            data["inventory_delta"]
        )
    if product.get("manage_stock"):
        product["stock_status"] = (
            "instock" if int(product["stock_quantity"] or 0) > 0 else "outofstock"
        )
    for meta in data.get("meta_data", []):
        # WC_Data::update_meta_data($key, $value, $id): replace by id or key, else add.
        existing = next(
            (
                m
                for m in product["meta_data"]
                if m["id"] == meta.get("id") or m["key"] == meta["key"]
            ),
            None,
        )
        if existing:
            existing["value"] = meta["value"]
        else:
            product["meta_data"].append(
                {"id": site.next_item_id(), "key": meta["key"], "value": meta["value"]}
            )
    site.stamp(product, "date_modified")


def new_product(site: Store, data: dict[str, Any], parent_id: int = 0) -> Resource:
    """Create a product (or, with ``parent_id``, a variation) and store it."""
    if data.get("sku") and any(p.get("sku") == data["sku"] for p in site.products.values()):
        raise WooError("product_invalid_sku", "Invalid or duplicated SKU.", 400)
    product: Resource = {
        "id": site.next_post_id(),
        "name": data.get("name", ""),
        "type": data.get("type", "simple"),
        "status": "publish",
        "sku": "",
        "price": "",
        "regular_price": "",
        "sale_price": "",
        "manage_stock": False,
        "stock_quantity": None,
        "stock_status": "instock",
        "tags": [],
        "categories": [],
        "attributes": [],
        "variations": [],
        "parent_id": parent_id,
        "meta_data": [],
    }
    if parent_id:
        product["type"] = "variation"
    site.stamp(product, "date_created", "date_modified")
    apply_changes(site, product, data)
    if parent_id:
        # The variations controller does not read a name; a real store (WooCommerce 10.0.2,
        # issue 15) names a variation by its attribute values only: "L", not "Hoodie - L".
        product["name"] = ", ".join(
            str(a.get("option", "")) for a in product["attributes"] if a.get("option")
        )
    site.products[product["id"]] = product
    if parent_id:
        site.products[parent_id]["variations"].append(product["id"])
    return product
