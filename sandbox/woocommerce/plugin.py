"""The Reshelf Returns plugin's REST routes, as the PHP in manifests/ implements them.

Namespace ``wc-reshelf/v1``: WooCommerce authenticates REST requests whose route starts
with ``wc/`` or ``wc-`` (WC_REST_Authentication::is_request_to_rest_api, "Allow third
party plugins use our authentication methods"), so the plugin takes the same API keys.

- ``POST /stock`` ``{product_id, quantity, movement_id}``: inserts the movement id into a
  table with a unique key and calls ``wc_update_product_stock($product, $qty, 'increase')``
  in one transaction; a repeated movement id changes nothing and says so. On a real store
  (WooCommerce 10.0.2, issue 15) this restock is followed by no ``product.updated``
  delivery, so the emulator sends none either.
- ``GET /movements/<movement_id>``: whether a movement was applied, and its answer.

The order meta the plugin keeps (class-reshelf-returns-lifecycle.php) is here too; what
deactivation and activation do with it is in plugin_lifecycle.py.
"""

from __future__ import annotations

from flask import Blueprint, Response

from .common import body, not_found, reply, require_key, store
from .store import Resource, Store, WooError

bp = Blueprint("wc_reshelf", __name__, url_prefix="/wp-json/wc-reshelf/v1")


@bp.before_request
def only_while_active() -> None:
    """A deactivated plugin registers no routes: WordPress answers ``rest_no_route``."""
    if not store().plugin_installed:
        raise WooError(
            "rest_no_route", "No route was found matching the URL and request method.", 404
        )


bp.before_request(require_key)

STATUSES = ("return-requested", "return-approved", "partly-returned", "returned")
# Reshelf_Returns_Lifecycle::PARKED_META and ::BEFORE_META.
PARKED_META = "_reshelf_returns_parked_status"
BEFORE_META = "_reshelf_returns_status_before"


def get_meta(order: Resource, key: str) -> str:
    """``$order->get_meta($key)``: the value, or '' when the order has none."""
    return next((str(m["value"]) for m in order["meta_data"] if m["key"] == key), "")


def set_meta(site: Store, order: Resource, key: str, value: str | None) -> None:
    """``update_meta_data($key, $value)``, or ``delete_meta_data($key)`` for None."""
    order["meta_data"] = [m for m in order["meta_data"] if m["key"] != key]
    if value is not None:
        order["meta_data"].append({"id": site.next_item_id(), "key": key, "value": value})


def remember_status_before(site: Store, order: Resource, before: str) -> None:
    """The plugin's ``woocommerce_order_status_changed`` handler: an order entering a
    return status from another one keeps that one, for deactivation to go back to."""
    if site.plugin_installed and order["status"] in STATUSES and before not in STATUSES:
        set_meta(site, order, BEFORE_META, before)


@bp.post("/stock")
def increase_stock() -> Response:
    """Apply one stock movement exactly once."""
    data, site = body(), store()
    movement_id = str(data.get("movement_id", "")).strip()
    quantity = int(data.get("quantity") or 0)
    if not movement_id or quantity <= 0:
        raise WooError(
            "reshelf_invalid_movement", "movement_id and a positive quantity are required.", 400
        )
    with site.lock:
        product = site.find_product(int(data.get("product_id") or 0))
        done = site.applied_movements.get(movement_id)
        if done is not None:
            return reply({**done, "duplicate": True})
        if not product.get("manage_stock"):
            raise WooError("reshelf_stock_not_managed", "This product does not manage stock.", 409)
        new = site.update_stock(product["id"], quantity, "increase", notify=False)
        done = {
            "movement_id": movement_id,
            "product_id": product["id"],
            "quantity": quantity,
            "stock_quantity": new,
            "duplicate": False,
        }
        site.applied_movements[movement_id] = done
    return reply(done, 201)


@bp.get("/movements/<movement_id>")
def get_movement(movement_id: str) -> Response:
    """A recorded movement, or 404 if it was never applied."""
    done = store().applied_movements.get(movement_id)
    if done is None:
        raise not_found("movement")
    return reply(done)
