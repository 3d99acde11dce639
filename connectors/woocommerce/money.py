"""Refunds, store credit, order notes and statuses on WooCommerce, each once.

Refunds (``POST /orders/{id}/refunds``; includes/wc-order-functions.php wc_create_refund):
- ``api_refund`` is true only when the order's gateway can refund by itself; bacs,
  cheque and cod cannot, and WooCommerce answers 500 when asked - then the refund is
  recorded with ``api_refund: false`` and an order note asks the merchant to pay by hand.
- ``api_restock`` is always false: Reshelf's ledger restocks graded units itself, and
  WooCommerce would otherwise put the same units back a second time.
- The refund carries the settlement's key in ``meta_data``; before creating one we look
  for it, so a retry after a lost answer does not refund twice.
Store credit: a single-use coupon restricted to the shopper's email, whose code derives
from the settlement key (the store refuses a duplicate code, so a retry finds it instead).
The code reaches the shopper as a customer note, which WooCommerce shows under the order in
My Account and emails to the billing address (includes/emails/class-wc-email-customer-note.php).
Statuses: "Returned" only once every unit of the order is back, "Partly returned" before,
so the plugin keeps the "Return an item" button for the rest (see consts.PLUGIN_STATUSES).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.woocommerce.client import WooClient
from connectors.woocommerce.consts import (
    MANUAL_GATEWAYS,
    PARTLY_RETURNED,
    PLUGIN_STATUSES,
    RETURNED,
)
from connectors.woocommerce.errors import WooFatalError, WooRetriableError
from connectors.woocommerce.mapping import SETTLEMENT_META
from core.models import ReturnLine, ReturnRequest, Settlement
from core.ports import StoreAnswer

CENT = Decimal("0.01")


def money(amount: Decimal) -> str:
    """An amount as a shopper reads it: two decimals ("49.00", never "49.0000")."""
    return str(amount.quantize(CENT))


def _line_refund(line: ReturnLine, units: int) -> dict[str, Any]:
    """One line item of the refund: units, net amount and tax per rate, pro rata."""
    share = Decimal(units) / Decimal(line.order_line.quantity)
    taxes = [
        {
            "id": int(t["rate_id"]),
            "refund_total": str((Decimal(t["amount"]) * share).quantize(CENT)),
        }
        for t in line.order_line.tax_lines
    ]
    return {
        "id": int(line.order_line.platform_id),
        "quantity": units,
        "refund_total": str((line.unit_amount * units).quantize(CENT)),
        "refund_tax": taxes,
    }


def refund_lines(settlement: Settlement) -> list[dict[str, Any]]:
    """The refund's line items for the lines this settlement pays for."""
    lines = []
    for line in settlement.request.lines:
        units = line.quantity if line.resolution.value == "keep_item" else line.received_quantity
        if units and line.resolution.value in ("refund", "keep_item"):
            lines.append(_line_refund(line, units))
    return lines


def _existing_refund(client: WooClient, order_id: str, key: str) -> dict[str, Any] | None:
    for refund in client.get(f"orders/{order_id}/refunds"):
        if any(
            m.get("key") == SETTLEMENT_META and m.get("value") == key
            for m in refund.get("meta_data", [])
        ):
            return dict(refund)
    return None


def refund(client: WooClient, settlement: Settlement) -> StoreAnswer:
    """Create the refund once; fall back to a manual payout note where the gateway cannot."""
    order = settlement.request.order
    done = _existing_refund(client, order.platform_id, settlement.idempotency_key)
    if done is not None:
        return StoreAnswer(reference=str(done["id"]), raw={"refund": done, "repeat": True})
    lines = refund_lines(settlement)
    tax = sum((Decimal(t["refund_total"]) for ln in lines for t in ln["refund_tax"]), Decimal(0))
    amount = (settlement.amount + tax).quantize(CENT)
    gateway = str(order.platform_data.get("payment_method", ""))
    body = {
        "amount": str(amount),
        "reason": f"Reshelf return {settlement.request.rma}",
        "line_items": lines,
        "api_restock": False,
        "api_refund": gateway not in MANUAL_GATEWAYS,
        "meta_data": [{"key": SETTLEMENT_META, "value": settlement.idempotency_key}],
    }
    try:
        created = client.post(f"orders/{order.platform_id}/refunds", body)
    except WooRetriableError as exc:
        if "automatic refunds" not in str(exc) or not body["api_refund"]:
            raise
        body["api_refund"] = False  # the gateway said it cannot; record it, pay by hand
        created = client.post(f"orders/{order.platform_id}/refunds", body)
    if not body["api_refund"]:
        add_note(
            client,
            order.platform_id,
            (
                f"Reshelf recorded a refund of {amount} {settlement.currency} for return "
                f"{settlement.request.rma}. The payment method ({gateway or 'none'}) cannot refund "
                "automatically: please pay this amount to the customer by hand."
            ),
        )
    return StoreAnswer(
        reference=str(created["id"]), raw={"refund": created, "api_refund": body["api_refund"]}
    )


def coupon_code(settlement: Settlement) -> str:
    """A stable, readable code for this settlement's store credit."""
    digest = hashlib.sha256(settlement.idempotency_key.encode()).hexdigest()[:6].upper()
    return f"CREDIT-{settlement.request.rma}-{digest}"


def store_credit(client: WooClient, settlement: Settlement) -> StoreAnswer:
    """A single-use coupon for the shopper's email, worth the credit plus its bonus."""
    code = coupon_code(settlement)
    email = settlement.request.email or settlement.request.order.email
    body = {
        "code": code,
        "discount_type": "fixed_cart",
        "amount": money(settlement.amount),
        "usage_limit": 1,
        "usage_limit_per_user": 1,
        "individual_use": False,
        "email_restrictions": [email] if email else [],
        "description": f"Store credit for return {settlement.request.rma} (Reshelf)",
        "meta_data": [{"key": SETTLEMENT_META, "value": settlement.idempotency_key}],
    }
    try:
        coupon = client.post("coupons", body)
    except WooFatalError as exc:
        if exc.code != "woocommerce_rest_coupon_code_already_exists":
            raise
        coupon = client.get("coupons", code=code)[0]  # an earlier attempt created it
    amount = f"{money(settlement.amount)} {settlement.currency}"
    add_note(
        client,
        settlement.request.order.platform_id,
        f"Your store credit for return {settlement.request.rma}: use the coupon code {code} "
        f"at checkout for {amount} off your next order. It can be used once"
        + (f", by {email}." if email else "."),
        customer=True,
    )
    return StoreAnswer(reference=str(coupon["id"]), raw={"coupon": code, "amount": amount})


def note_texts(client: WooClient, order_id: str) -> set[str]:
    """The texts of the order's notes."""
    return {str(n.get("note")) for n in client.get(f"orders/{order_id}/notes")}


def add_note(
    client: WooClient, order_id: str, text: str, unique: bool = True, customer: bool = False
) -> None:
    """Add an order note (private, or with ``customer`` one the shopper sees and is emailed);
    with ``unique``, not if the same text is already there."""
    if unique and text in note_texts(client, order_id):
        return
    client.post(f"orders/{order_id}/notes", {"note": text, "customer_note": customer})


def order_status(session: Session, request: ReturnRequest) -> str | None:
    """The plugin's status for the order after this step of one of its returns, if any."""
    status = PLUGIN_STATUSES.get(request.status.value)
    if status != RETURNED:
        return status
    order = request.order
    back = session.scalar(
        select(func.coalesce(func.sum(ReturnLine.received_quantity), 0))
        .join(ReturnRequest, ReturnLine.return_id == ReturnRequest.id)
        .where(ReturnRequest.shop_id == request.shop_id, ReturnRequest.order_id == order.id)
    )
    return (
        RETURNED if (back or 0) >= sum(line.quantity for line in order.lines) else PARTLY_RETURNED
    )


def set_status(client: WooClient, order_id: str, status: str) -> None:
    """Set the order's status unless it already has it."""
    if client.get(f"orders/{order_id}").get("status") != status:
        client.put(f"orders/{order_id}", {"status": status})
