"""Orders as WooCommerce keeps them: line items, totals, statuses, stock reduction, notes.

Sources: includes/rest-api/Controllers/Version3/class-wc-rest-orders-controller.php;
includes/class-wc-order.php (payment_complete, maybe_set_date_paid,
maybe_set_date_completed);
includes/wc-stock-functions.php (wc_maybe_reduce_stock_levels, wc_reduce_stock_levels):
stock is reduced once per order when it reaches processing, completed or on-hold, each item
remembers what was taken in ``_reduced_stock`` and the order is flagged
``order_stock_reduced`` (protected meta, not part of REST responses).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .listing import invalid_param
from .plugin import remember_status_before
from .store import Resource, Store, money

CORE_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
)
REDUCING_STATUSES = ("processing", "completed", "on-hold")
# woocommerce_valid_order_statuses_for_payment_complete: set_paid only moves these on.
PAYABLE_STATUSES = ("on-hold", "pending", "failed", "cancelled")
# Gateways whose WC_Payment_Gateway::supports('refunds') is false in WooCommerce core.
MANUAL_GATEWAYS = ("bacs", "cheque", "cod", "")


def statuses(site_plugin_statuses: tuple[str, ...]) -> tuple[str, ...]:
    """``wc_get_order_statuses()`` keys without ``wc-``, plus what plugins registered."""
    return CORE_STATUSES + site_plugin_statuses


def _line_item(site: Store, data: dict[str, Any]) -> Resource:
    product_id = int(data.get("variation_id") or data["product_id"])
    product = site.find_product(product_id)
    quantity = int(data.get("quantity", 1))
    price = Decimal(str(data.get("price") or product.get("price") or "0"))
    total = Decimal(str(data["total"])) if "total" in data else price * quantity
    tax = (total * site.tax_rate / 100).quantize(Decimal("0.01"))
    return {
        "id": site.next_item_id(),
        "name": product["name"],
        "product_id": int(data["product_id"]),
        "variation_id": int(data.get("variation_id") or 0),
        "quantity": quantity,
        "subtotal": money(price * quantity),
        "subtotal_tax": money(tax),
        "total": money(total),
        "total_tax": money(tax),
        "taxes": [{"id": 1, "total": money(tax), "subtotal": money(tax)}] if site.tax_rate else [],
        "sku": product["sku"],
        "price": float(price),
        "meta_data": [],
    }


def _totals(order: Resource) -> None:
    lines = order["line_items"]
    tax = sum((Decimal(i["total_tax"]) for i in lines), Decimal(0))
    shipping = sum((Decimal(s.get("total", "0")) for s in order["shipping_lines"]), Decimal(0))
    order["total_tax"] = money(tax)
    order["total"] = money(sum((Decimal(i["total"]) for i in lines), Decimal(0)) + tax + shipping)


def maybe_reduce_stock(site: Store, order: Resource) -> None:
    """``wc_maybe_reduce_stock_levels``: once per order, for items that manage stock."""
    if order["status"] not in REDUCING_STATUSES or site.order_stock_reduced.get(order["id"]):
        return
    changes = []
    for item in order["line_items"]:
        product_id = item["variation_id"] or item["product_id"]
        if site.item_reduced_stock.get(item["id"]) or not site.products.get(product_id, {}).get(
            "manage_stock"
        ):
            continue
        new = site.update_stock(product_id, item["quantity"], "decrease") or 0
        site.item_reduced_stock[item["id"]] = item["quantity"]
        changes.append(f"{item['name']} ({new + item['quantity']}→{new})")
    site.order_stock_reduced[order["id"]] = True
    if changes:
        add_note(site, order["id"], "Stock levels reduced: " + ", ".join(changes), False)


def add_note(
    site: Store, order_id: int, text: str, customer_note: bool, by_user: bool = False
) -> Resource:
    """``WC_Order::add_order_note``: a comment on the order (no order.updated webhook)."""
    note: Resource = {
        "id": site.next_post_id(),
        "author": "WooCommerce" if not by_user else "admin",
        "note": text,
        "customer_note": customer_note,
        "added_by_user": by_user,
    }
    site.stamp(note, "date_created")
    site.notes.setdefault(order_id, []).insert(0, note)
    if customer_note:
        _email_customer_note(site, order_id, text)
    return note


def _email_customer_note(site: Store, order_id: int, text: str) -> None:
    """``WC_Email_Customer_Note``: a customer note is emailed to the order's billing address.

    WC_Order::add_order_note fires ``woocommerce_new_customer_note`` for a customer note,
    and includes/emails/class-wc-email-customer-note.php sends it (enabled by default) with
    the subject "Note added to your {site_title} order from {order_date}".
    """
    order = site.orders[order_id]
    address = str(order.get("billing", {}).get("email") or "")
    if not address:
        return  # the email's trigger() sends nothing without a recipient
    site.emails.append(
        {
            "id": "customer_note",
            "to": address,
            "subject": f"Note added to your order from {order['date_created'][:10]}",
            "body": text,
        }
    )


def apply_order_changes(
    site: Store, order: Resource, data: dict[str, Any], *, creating: bool = False
) -> None:
    """Write a REST body onto an order; reduce stock if it is now placed."""
    allowed = statuses(site.plugin_statuses)
    before = order["status"]
    if "status" in data and data["status"] not in allowed:
        raise invalid_param("status", f"status is not one of {', '.join(allowed)}.")
    for name in (
        "status",
        "customer_id",
        "payment_method",
        "payment_method_title",
        "currency",
        "customer_note",
    ):
        if name in data:
            order[name] = data[name]
    for name in ("billing", "shipping"):
        order[name].update(data.get(name, {}))
    for line in data.get("line_items", []):
        order["line_items"].append(_line_item(site, line))
    order["shipping_lines"].extend(data.get("shipping_lines", []))
    if data.get("set_paid") and order["status"] in PAYABLE_STATUSES:
        order["status"] = "processing"  # WC_Order::payment_complete(), which sets date_paid
        if not order["date_paid"]:
            site.stamp(order, "date_paid")
    # WC_Order::maybe_set_date_paid() runs on a status transition. An order created
    # straight into "processing" or "completed" (no set_paid on a payable status) has no
    # date_paid on a real store (WooCommerce 10.0.2, issue 15).
    moved = order["status"] != before and not creating
    if order["status"] in ("processing", "completed") and not order["date_paid"] and moved:
        site.stamp(order, "date_paid")
    if order["status"] == "completed" and not order["date_completed"]:
        site.stamp(order, "date_completed")
    if moved:
        remember_status_before(site, order, before)
    _totals(order)
    site.stamp(order, "date_modified")
    maybe_reduce_stock(site, order)


def new_order(site: Store, data: dict[str, Any]) -> Resource:
    """Create an order from a REST body (status ``pending`` unless given)."""
    with site.lock:
        order: Resource = {
            "id": site.next_post_id(),
            "parent_id": 0,
            "status": "pending",
            "currency": "EUR",
            "customer_id": 0,
            "payment_method": "bacs",
            "payment_method_title": "",
            "billing": {},
            "shipping": {},
            "line_items": [],
            "shipping_lines": [],
            "refunds": [],
            "meta_data": [],
            "date_paid": None,
            "date_paid_gmt": None,
            "date_completed": None,
            "date_completed_gmt": None,
            "created_via": "rest-api",
            "customer_note": "",
        }
        order["number"] = str(order["id"])
        site.stamp(order, "date_created", "date_modified")
        site.orders[order["id"]] = order
        apply_order_changes(site, order, data, creating=True)
    site.emit("order", "created", order["id"])
    return order
