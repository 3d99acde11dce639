"""``returnProcess``: processed quantities, dispositions and the refund of a return.

https://shopify.dev/docs/api/admin-graphql/latest/mutations/returnProcess: each return line
item may be processed up to its unprocessed quantity, optionally with dispositions; the
``financialTransfer.issueRefund`` refunds ``orderTransactions`` (to the original payment)
and/or ``refundMethods`` (store credit), never beyond what was paid unless
``allowOverRefunding``. A refund sends ``refunds/create``; processing sends ``returns/process``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.shopify import state as st
from sandbox.shopify.connections import parse_gid
from sandbox.shopify.dispositions import dispose
from sandbox.shopify.executor import View
from sandbox.shopify.graphql_api import Context, mutation
from sandbox.shopify.payloads import return_payload
from sandbox.shopify.refunds import credit_amount, record_refund, too_much
from sandbox.shopify.returns import find_return, payload, user_error


def _refund_amounts(order: st.Order, issue: dict[str, Any]) -> tuple[Decimal, Decimal, list[View]]:
    original = Decimal()
    for index, transaction in enumerate(issue.get("orderTransactions") or []):
        if parse_gid(transaction["parentId"], "OrderTransaction") != order.id:
            where = ["input", "financialTransfer", "issueRefund", "orderTransactions", str(index)]
            return (
                Decimal(),
                Decimal(),
                [user_error("NOT_FOUND", "Transaction does not exist.", where)],
            )
        original += Decimal(str(transaction["transactionAmount"]["amount"]))
    credit = credit_amount(issue.get("refundMethods"))
    if too_much(order, original + credit, bool(issue.get("allowOverRefunding"))):
        where = ["input", "financialTransfer"]
        return (
            Decimal(),
            Decimal(),
            [user_error("INVALID", "Refund exceeds the amount paid.", where)],
        )
    return original, credit, []


def process(ctx: Context, ret: st.Return, data: dict[str, Any]) -> list[View]:
    """Process ``ret`` as ``data`` says, all or nothing; return user errors."""
    shop = ctx.shop
    order = shop.orders[ret.order_id]
    lines = {line.id: line for line in ret.lines}
    plan: list[tuple[st.ReturnLineItem, int]] = []
    dispositions: list[dict[str, Any]] = []
    for index, item in enumerate(data.get("returnLineItems") or []):
        line = lines.get(parse_gid(item["id"], "ReturnLineItem"))
        if line is None or not 0 < item["quantity"] <= line.quantity - line.processed_quantity:
            return [
                user_error(
                    "INVALID",
                    "Quantity is not processable.",
                    ["input", "returnLineItems", str(index)],
                )
            ]
        plan.append((line, item["quantity"]))
        dispositions.extend(item.get("dispositions") or [])
    issue = (data.get("financialTransfer") or {}).get("issueRefund")
    original, credit = Decimal(), Decimal()
    if issue:
        original, credit, errors = _refund_amounts(order, issue)
        if errors:
            return errors
    if dispositions:
        _, errors = dispose(ctx, dispositions)
        if errors:
            return errors
    refunded_lines = []
    for line, quantity in plan:
        line.processed_quantity += quantity
        found = shop.fulfillment_line(line.fulfillment_line_item_id)
        assert found is not None
        refunded_lines.append((found[1].line_item_id, quantity))
    if issue and original + credit > 0:
        record_refund(ctx, order, original, credit, refunded_lines, data.get("note") or "", ret.id)
    ctx.emulator.emit(shop, "returns/process", return_payload(ret))
    return []


@mutation("returnProcess")
def return_process(ctx: Context, args: dict[str, Any]) -> View:
    """Process returned quantities and issue the refund."""
    ret, errors = find_return(ctx, args["input"]["returnId"], "OPEN")
    if ret is not None:
        errors = process(ctx, ret, args["input"])
    return payload("ReturnProcessPayload", ctx, ret, errors)
