"""``/orders``: create, read, update, delete, list (the model is in ordering.py)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from .common import body, listing, not_found, reply, require_key, store
from .ordering import apply_order_changes, new_order
from .store import Resource

bp = Blueprint("wc_orders", __name__, url_prefix="/wp-json/wc/v3")
bp.before_request(require_key)


def find_order(order_id: int) -> Resource:
    """An order by id, or ``woocommerce_rest_shop_order_invalid_id``."""
    order = store().orders.get(order_id)
    if order is None:
        raise not_found("shop_order")
    return order


@bp.get("/orders")
def list_orders() -> Response:
    """List orders, optionally by status and customer."""
    items = list(store().orders.values())
    wanted = [s for s in request.args.get("status", "any").split(",") if s and s != "any"]
    if wanted:
        items = [o for o in items if o["status"] in wanted]
    if request.args.get("customer"):
        items = [o for o in items if str(o["customer_id"]) == request.args["customer"]]
    return listing(items)


@bp.post("/orders")
def create_order() -> Response:
    """Create an order (``order.created``)."""
    return reply(new_order(store(), body()), 201)


@bp.get("/orders/<int:order_id>")
def get_order(order_id: int) -> Response:
    """One order."""
    return reply(find_order(order_id))


@bp.route("/orders/<int:order_id>", methods=["PUT", "PATCH", "POST"])
def update_order(order_id: int) -> Response:
    """Update an order (``order.updated``)."""
    site = store()
    with site.lock:
        order = find_order(order_id)
        apply_order_changes(site, order, body())
    site.emit("order", "updated", order_id)
    return reply(order)


@bp.delete("/orders/<int:order_id>")
def delete_order(order_id: int) -> Response:
    """Trash or, with ``force``, delete an order (``order.deleted``)."""
    site = store()
    with site.lock:
        order = find_order(order_id)
        if request.args.get("force") in ("true", "1"):
            del site.orders[order_id]
        else:
            order["status"] = "trash"
    site.emit("order", "deleted", order_id)
    return reply(order)
