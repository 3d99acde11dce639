"""Refunds: ``refundCreate``, and the bookkeeping ``returnProcess`` shares with it.

https://shopify.dev/docs/api/admin-graphql/latest/mutations/refundCreate: refund line items
(at most what is left unrefunded), money back through ``transactions`` (kind ``REFUND``
against the sale) and/or ``refundMethods`` (store credit), never more than was paid unless
``allowOverRefunding``. A refund sends ``refunds/create`` and ``orders/updated``
(https://shopify.dev/docs/api/webhooks). ``@idempotent`` is mandatory here in 2026-04.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.shopify import state as st
from sandbox.shopify.connections import parse_gid
from sandbox.shopify.executor import View
from sandbox.shopify.graphql_api import Context, mutation
from sandbox.shopify.order_views import order_view, refund_view
from sandbox.shopify.payloads import order_payload, refund_payload


def record_refund(
    ctx: Context,
    order: st.Order,
    original: Decimal,
    credit: Decimal,
    lines: list[tuple[int, int]],
    note: str,
    return_id: int | None = None,
) -> st.Refund:
    """Book a refund on the order and announce it."""
    refund = st.Refund(
        st.next_id(), original + credit, note, lines, return_id, store_credit=credit > 0
    )
    order.refunds.append(refund)
    paid_back = sum((r.amount for r in order.refunds), Decimal())
    order.financial_status = "REFUNDED" if paid_back >= order.total() else "PARTIALLY_REFUNDED"
    order.updated_at = st.utcnow()
    ctx.emulator.emit(ctx.shop, "refunds/create", refund_payload(order, refund))
    ctx.emulator.emit(ctx.shop, "orders/updated", order_payload(ctx.shop, order))
    return refund


def credit_amount(methods: list[dict[str, Any]] | None) -> Decimal:
    """Store credit asked for by ``refundMethods``."""
    return sum(
        (
            Decimal(str(m["storeCreditRefund"]["amount"]["amount"]))
            for m in methods or []
            if m.get("storeCreditRefund")
        ),
        Decimal(),
    )


def too_much(order: st.Order, amount: Decimal, allow_over: bool) -> bool:
    """Whether refunding ``amount`` more would pay back more than was paid."""
    already = sum((r.amount for r in order.refunds), Decimal())
    return already + amount > order.total() and not allow_over


def _error(message: str, field: list[str]) -> View:
    return {"__typename": "UserError", "message": message, "field": field}


@mutation("refundCreate")
def refund_create(ctx: Context, args: dict[str, Any]) -> View:
    """Refund line items and money on an order."""
    data = args["input"]
    order = ctx.shop.orders.get(parse_gid(data["orderId"], "Order"))
    empty = {"__typename": "RefundCreatePayload", "refund": None, "order": None}
    if order is None:
        return {**empty, "userErrors": [_error("Order does not exist", ["orderId"])]}
    refunded = {
        li: sum(q for r in order.refunds for i, q in r.lines if i == li)
        for li in (x.id for x in order.line_items)
    }
    lines = []
    for index, item in enumerate(data.get("refundLineItems") or []):
        line_id = parse_gid(item["lineItemId"], "LineItem")
        bought = next((li.quantity for li in order.line_items if li.id == line_id), 0)
        if not 0 < item["quantity"] <= bought - refunded.get(line_id, 0):
            return {
                **empty,
                "userErrors": [
                    _error("Quantity cannot be refunded", ["refundLineItems", str(index)])
                ],
            }
        lines.append((line_id, item["quantity"]))
    original = sum(
        (
            Decimal(str(t["amount"]))
            for t in data.get("transactions") or []
            if t["kind"] == "REFUND"
        ),
        Decimal(),
    )
    credit = credit_amount(data.get("refundMethods"))
    if too_much(order, original + credit, bool(data.get("allowOverRefunding"))):
        return {**empty, "userErrors": [_error("Refund exceeds the amount paid", ["transactions"])]}
    refund = record_refund(ctx, order, original, credit, lines, data.get("note") or "")
    return {
        **empty,
        "refund": refund_view(order, refund),
        "order": order_view(ctx.shop, order),
        "userErrors": [],
    }
