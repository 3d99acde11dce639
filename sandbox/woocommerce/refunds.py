"""``/orders/<id>/refunds`` and ``/orders/<id>/notes``.

Sources: includes/rest-api/Controllers/Version2/class-wc-rest-order-refunds-v2-controller.php
(``api_refund`` and ``api_restock`` default true; a failed refund is
``woocommerce_rest_cannot_create_order_refund`` with status 500) and
includes/wc-order-functions.php (wc_create_refund: amount within what remains; the payment
is refunded first, through the gateway, which must support 'refunds' - wc_refund_payment()
throws "...does not support automatic refunds." for bacs, cheque and cod; then
wc_restock_refunded_items() puts back only items whose ``_reduced_stock`` is set, and a
fully refunded order becomes ``refunded``), includes/wc-stock-functions.php
(wc_restock_refunded_items), class-wc-rest-order-notes-controller.php.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, Response

from .common import body, reply, require_key, store
from .ordering import MANUAL_GATEWAYS, add_note
from .orders import find_order
from .store import Resource, Store, WooError, money

bp = Blueprint("wc_refunds", __name__, url_prefix="/wp-json/wc/v3")
bp.before_request(require_key)


def _cannot(message: str) -> WooError:
    return WooError("woocommerce_rest_cannot_create_order_refund", message, 500)


def _amount(data: dict[str, Any]) -> Decimal:
    if data.get("amount") not in (None, ""):
        return Decimal(str(data["amount"]))
    total = Decimal(0)
    for line in data.get("line_items", []):
        total += Decimal(str(line.get("refund_total") or 0))
        total += sum(
            (Decimal(str(t.get("refund_total") or 0)) for t in line.get("refund_tax", [])),
            Decimal(0),
        )
    return total


def _restock(site: Store, order: Resource, lines: dict[int, int]) -> None:
    """``wc_restock_refunded_items``: only what the order had reduced, at most that much."""
    for item in order["line_items"]:
        quantity = lines.get(item["id"], 0)
        reduced = site.item_reduced_stock.get(item["id"], 0)
        product_id = item["variation_id"] or item["product_id"]
        if not reduced or not quantity or not site.products.get(product_id, {}).get("manage_stock"):
            continue
        old = int(site.products[product_id]["stock_quantity"] or 0)
        new = site.update_stock(product_id, quantity, "increase")
        site.item_reduced_stock[item["id"]] = reduced - quantity
        add_note(
            site, order["id"], f"Item #{product_id} stock increased from {old} to {new}.", False
        )


def create_refund(site: Store, order_id: int, data: dict[str, Any]) -> Resource:
    """``wc_create_refund`` as the REST controller calls it."""
    amount = _amount(data)
    if amount <= 0:
        raise WooError(
            "woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero.", 400
        )
    with site.lock:
        order = find_order(order_id)
        refunded = -sum((Decimal(r["total"]) for r in order["refunds"]), Decimal(0))
        if amount > Decimal(order["total"]) - refunded:
            raise _cannot("Invalid refund amount.")
        if data.get("api_refund", True) and order["payment_method"] in MANUAL_GATEWAYS:
            raise _cannot("The payment gateway for this order does not support automatic refunds.")
        lines = {int(x["id"]): int(x.get("quantity") or 0) for x in data.get("line_items", [])}
        refund: Resource = {
            "id": site.next_post_id(),
            "amount": money(amount),
            "reason": data.get("reason", ""),
            "refunded_by": 1,
            "refunded_payment": bool(data.get("api_refund", True)),
            "meta_data": [
                {"id": site.next_item_id(), "key": m["key"], "value": m["value"]}
                for m in data.get("meta_data", [])
            ],
            "line_items": [
                {"id": site.next_item_id(), "refunded_item_id": item_id, "quantity": -quantity}
                for item_id, quantity in lines.items()
            ],
        }
        site.stamp(refund, "date_created")
        site.refunds.setdefault(order_id, []).insert(0, refund)
        order["refunds"].insert(
            0, {"id": refund["id"], "reason": refund["reason"], "total": money(-amount)}
        )
        if data.get("api_restock", True):
            _restock(site, order, lines)
        fully = amount + refunded >= Decimal(order["total"])
        if fully:
            order["status"] = "refunded"  # wc_order_fully_refunded()
        site.stamp(order, "date_modified")
    if fully:
        site.emit("order", "updated", order_id)
    site.emit("action", "woocommerce_order_refunded", order_id)
    return refund


@bp.post("/orders/<int:order_id>/refunds")
def post_refund(order_id: int) -> Response:
    """Create a refund."""
    return reply(create_refund(store(), order_id, body()), 201)


@bp.get("/orders/<int:order_id>/refunds")
def list_refunds(order_id: int) -> Response:
    """List an order's refunds, newest first."""
    find_order(order_id)
    return reply(store().refunds.get(order_id, []))


@bp.get("/orders/<int:order_id>/notes")
def list_notes(order_id: int) -> Response:
    """List an order's notes, newest first."""
    find_order(order_id)
    return reply(store().notes.get(order_id, []))


@bp.post("/orders/<int:order_id>/notes")
def post_note(order_id: int) -> Response:
    """Add a note (``woocommerce_rest_invalid_order_note`` without text)."""
    data = body()
    if not data.get("note"):
        raise WooError(
            "woocommerce_rest_invalid_order_note",
            "Cannot create order note, please try again.",
            500,
        )
    site = store()
    with site.lock:
        find_order(order_id)
        note = add_note(
            site,
            order_id,
            str(data["note"]),
            bool(data.get("customer_note")),
            bool(data.get("added_by_user")),
        )
    return reply(note, 201)
