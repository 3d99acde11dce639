"""``/products``, ``/products/<id>/variations`` and ``/products/batch``.

Sources: includes/rest-api/Controllers/Version3/class-wc-rest-products-controller.php,
class-wc-rest-product-variations-controller.php and class-wc-rest-controller.php
(batch_items, check_batch_limit); REST API docs https://woocommerce.github.io/woocommerce-rest-api-docs/#products
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from .catalog import apply_changes, new_product
from .common import body, listing, not_found, reply, require_key, store
from .store import Resource, WooError

bp = Blueprint("wc_products", __name__, url_prefix="/wp-json/wc/v3")
bp.before_request(require_key)

BATCH_LIMIT = 100  # apply_filters('woocommerce_rest_batch_items_limit', 100, ...)


def _get(product_id: int, parent_id: int | None = None) -> Resource:
    product = store().products.get(product_id)
    if product is None or (parent_id is not None and product["parent_id"] != parent_id):
        raise not_found("product")
    return product


@bp.get("/products")
def list_products() -> Response:
    """List products (variations are another post type and are not listed)."""
    items = [p for p in list(store().products.values()) if p["type"] != "variation"]
    if request.args.get("sku"):
        items = [p for p in items if p["sku"] == request.args["sku"]]
    return listing(items)


@bp.post("/products")
def create_product() -> Response:
    """Create a product and fire ``product.created``."""
    site = store()
    with site.lock:
        product = new_product(site, body())
    site.emit("product", "created", product["id"])
    return reply(product, 201)


# What WP_REST_Server::get_data_for_route() lists for an item route on OPTIONS: the
# methods and the arguments each accepts, from the controller's get_item_schema().
# inventory_delta is not among them: prepare_object_for_database() reads it from the
# request (class-wc-rest-product-variations-controller.php, "elseif ( isset(
# $request['inventory_delta'] ) )"), but the schema never lists it, so a real store's
# OPTIONS does not show it (checked on WooCommerce 10.0.2, issue 15).
_WRITE_ARGS = (
    "name",
    "sku",
    "regular_price",
    "sale_price",
    "manage_stock",
    "stock_quantity",
    "meta_data",
    "tags",
    "categories",
    "status",
)


@bp.route("/products/<int:product_id>", methods=["OPTIONS"])
@bp.route("/products/<int:parent_id>/variations/<int:product_id>", methods=["OPTIONS"])
def describe_product(product_id: int, parent_id: int | None = None) -> Response:
    """The route's description, with the arguments its schema lists for an update."""
    args = {name: {"required": False} for name in _WRITE_ARGS}
    return reply(
        {
            "namespace": "wc/v3",
            "methods": ["GET", "POST", "PUT", "PATCH", "DELETE"],
            "endpoints": [
                {"methods": ["GET"], "args": {"id": {"required": False}}},
                {"methods": ["POST", "PUT", "PATCH"], "args": args},
                {"methods": ["DELETE"], "args": {"force": {"required": False}}},
            ],
        }
    )


@bp.delete("/products/<int:product_id>")
def delete_product(product_id: int) -> Response:
    """Trash a product or, with ``force``, delete it; ``product.deleted`` either way.

    The topic's hook is ``wp_trash_post`` (includes/class-wc-webhook.php, the deleted
    payload is only ``{"id"}``); WC_REST_Products_Controller::delete_item trashes unless
    ``force`` is true.
    """
    site = store()
    with site.lock:
        product = _get(product_id)
        if request.args.get("force") in ("true", "1"):
            del site.products[product_id]
        else:
            product["status"] = "trash"
            site.stamp(product, "date_modified")
    site.emit("product", "deleted", product_id)
    return reply(product)


@bp.get("/products/<int:product_id>")
def get_product(product_id: int) -> Response:
    """One product; a variation id answers the variation, as ``wc_get_product`` does."""
    return reply(_get(product_id))


@bp.route("/products/<int:product_id>", methods=["PUT", "PATCH", "POST"])
def update_product(product_id: int) -> Response:
    """Update a product and fire ``product.updated``."""
    site = store()
    with site.lock:
        product = _get(product_id)
        apply_changes(site, product, body())
    site.emit("product", "updated", product_id)
    return reply(product)


@bp.get("/products/<int:parent_id>/variations")
def list_variations(parent_id: int) -> Response:
    """List a variable product's variations."""
    _get(parent_id)
    return listing([p for p in list(store().products.values()) if p["parent_id"] == parent_id])


@bp.post("/products/<int:parent_id>/variations")
def create_variation(parent_id: int) -> Response:
    """Create a variation (``product.created`` through woocommerce_new_product_variation)."""
    site = store()
    with site.lock:
        _get(parent_id)
        variation = new_product(site, body(), parent_id)
    site.emit("product", "created", variation["id"])
    site.emit("product", "updated", parent_id)  # the parent's prices and stock are synced
    return reply(variation, 201)


@bp.get("/products/<int:parent_id>/variations/<int:variation_id>")
def get_variation(parent_id: int, variation_id: int) -> Response:
    """One variation."""
    return reply(_get(variation_id, parent_id))


@bp.route(
    "/products/<int:parent_id>/variations/<int:variation_id>", methods=["PUT", "PATCH", "POST"]
)
def update_variation(parent_id: int, variation_id: int) -> Response:
    """Update a variation."""
    site = store()
    with site.lock:
        variation = _get(variation_id, parent_id)
        apply_changes(site, variation, body())
    site.emit("product", "updated", variation_id)
    return reply(variation)


@bp.post("/products/batch")
def batch_products() -> Response:
    """Create and update up to 100 products in one request."""
    data = body()
    total = sum(len(data.get(op) or []) for op in ("create", "update", "delete"))
    if total > BATCH_LIMIT:
        # check_batch_limit() answers 413 Request Entity Too Large (class-wc-rest-controller.php).
        raise WooError(
            "woocommerce_rest_request_entity_too_large",
            f"Unable to accept more than {BATCH_LIMIT} items for this request.",
            413,
        )
    site = store()
    result: dict[str, list[Resource]] = {"create": [], "update": [], "delete": []}
    for item in data.get("create") or []:
        try:
            with site.lock:
                result["create"].append(new_product(site, item))
        except WooError as error:
            result["create"].append(_item_error(0, error))
    for item in data.get("update") or []:
        try:
            with site.lock:
                product = _get(int(item["id"]))
                apply_changes(site, product, item)
            result["update"].append(product)
            site.emit("product", "updated", product["id"])
        except WooError as error:
            result["update"].append(_item_error(int(item.get("id", 0)), error))
    return reply({k: v for k, v in result.items() if v or k in data})


def _item_error(item_id: int, error: WooError) -> Resource:
    """A failed batch item: the id and the error, while the others still apply."""
    return {
        "id": item_id,
        "error": {"code": error.code, "message": error.message, "data": {"status": error.status}},
    }
