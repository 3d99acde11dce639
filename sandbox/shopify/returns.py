"""Shopify's returns: create, request, approve, decline, dispose, process, close.

Follows https://shopify.dev/docs/apps/build/orders-fulfillment/returns-apps and the mutation
pages under https://shopify.dev/docs/api/admin-graphql/latest/mutations: ``returnCreate``
opens a return at once; ``returnRequest`` waits (``REQUESTED``) for ``returnApproveRequest``
(→ ``OPEN``, with a reverse fulfillment order) or ``returnDeclineRequest`` (→ ``DECLINED``);
``reverseFulfillmentOrderDispose`` (see ``dispositions``) puts units back at a location;
``returnProcess`` records processed quantities and issues the refund; ``returnClose`` closes.
"""

from __future__ import annotations

from typing import Any

from sandbox.shopify import state as st
from sandbox.shopify.connections import parse_gid
from sandbox.shopify.executor import View
from sandbox.shopify.graphql_api import Context, mutation
from sandbox.shopify.payloads import return_payload
from sandbox.shopify.return_views import return_view


def user_error(code: str, message: str, field: list[str] | None = None) -> View:
    """A ``ReturnUserError``."""
    return {"__typename": "ReturnUserError", "code": code, "message": message, "field": field}


def payload(type_name: str, ctx: Context, ret: st.Return | None, errors: list[View]) -> View:
    """A ``Return*Payload`` carrying the return or the errors."""
    return {
        "__typename": type_name,
        "return": return_view(ctx.shop, ret) if ret and not errors else None,
        "userErrors": errors,
    }


def _returned_already(shop: st.Shop, fli_id: int) -> int:
    return sum(
        line.quantity
        for ret in shop.returns.values()
        if ret.status not in ("DECLINED", "CANCELED")
        for line in ret.lines
        if line.fulfillment_line_item_id == fli_id
    )


def _new_return(
    ctx: Context, data: dict[str, Any], status: str
) -> tuple[st.Return | None, list[View]]:
    shop = ctx.shop
    order = shop.orders.get(parse_gid(data["orderId"], "Order"))
    if order is None:
        return None, [user_error("NOT_FOUND", "Order does not exist.", ["input", "orderId"])]
    lines = []
    for index, item in enumerate(data.get("returnLineItems") or []):
        fli_id = parse_gid(item["fulfillmentLineItemId"], "FulfillmentLineItem")
        found = shop.fulfillment_line(fli_id)
        where = ["input", "returnLineItems", str(index), "quantity"]
        if found is None or found[0].id != order.id:
            return None, [user_error("NOT_FOUND", "Fulfillment line item does not exist.", where)]
        if item["quantity"] < 1 or item["quantity"] > found[1].quantity - _returned_already(
            shop, fli_id
        ):
            return None, [user_error("INVALID", "Quantity is not returnable.", where)]
        reason = item.get("returnReasonDefinitionId")
        lines.append(
            st.ReturnLineItem(
                id=st.next_id(),
                fulfillment_line_item_id=fli_id,
                quantity=item["quantity"],
                reason_definition_id=parse_gid(reason, "ReturnReasonDefinition")
                if reason
                else None,
                customer_note=item.get("customerNote") or item.get("returnReasonNote") or "",
            )
        )
    if not lines:
        return None, [
            user_error("BLANK", "Return line items can't be blank.", ["input", "returnLineItems"])
        ]
    count = sum(1 for r in shop.returns.values() if r.order_id == order.id)
    ret = st.Return(
        id=st.next_id(),
        order_id=order.id,
        name=f"{order.name}-R{count + 1}",
        status=status,
        lines=lines,
    )
    if status == "OPEN":
        _open(ret)
    shop.returns[ret.id] = ret
    return ret, []


def _open(ret: st.Return) -> None:
    ret.status = "OPEN"
    lines = [
        st.ReverseFulfillmentOrderLineItem(st.next_id(), li.fulfillment_line_item_id, li.quantity)
        for li in ret.lines
    ]
    ret.reverse_fulfillment_orders.append(st.ReverseFulfillmentOrder(id=st.next_id(), lines=lines))


def find_return(ctx: Context, return_id: str, wanted: str) -> tuple[st.Return | None, list[View]]:
    ret = ctx.shop.returns.get(parse_gid(return_id, "Return"))
    if ret is None:
        return None, [user_error("NOT_FOUND", "Return does not exist.", ["id"])]
    if ret.status != wanted:
        return None, [
            user_error("INVALID_STATE", f"Return is {ret.status}, expected {wanted}.", ["id"])
        ]
    return ret, []


@mutation("returnCreate")
def return_create(ctx: Context, args: dict[str, Any]) -> View:
    """Open a return for fulfilled items."""
    ret, errors = _new_return(ctx, args["returnInput"], "OPEN")
    return payload("ReturnCreatePayload", ctx, ret, errors)


@mutation("returnRequest")
def return_request(ctx: Context, args: dict[str, Any]) -> View:
    """Ask for a return that the merchant must approve."""
    ret, errors = _new_return(ctx, args["input"], "REQUESTED")
    if ret is not None:
        ctx.emulator.emit(ctx.shop, "returns/request", return_payload(ret))
    return payload("ReturnRequestPayload", ctx, ret, errors)


@mutation("returnApproveRequest")
def return_approve_request(ctx: Context, args: dict[str, Any]) -> View:
    """Approve a requested return."""
    ret, errors = find_return(ctx, args["input"]["id"], "REQUESTED")
    if ret is not None:
        _open(ret)
        ctx.emulator.emit(ctx.shop, "returns/approve", return_payload(ret))
    return payload("ReturnApproveRequestPayload", ctx, ret, errors)


@mutation("returnDeclineRequest")
def return_decline_request(ctx: Context, args: dict[str, Any]) -> View:
    """Decline a requested return with a reason and a note for the customer."""
    ret, errors = find_return(ctx, args["input"]["id"], "REQUESTED")
    if ret is not None:
        ret.status, ret.decline_reason = "DECLINED", args["input"]["declineReason"]
        ret.decline_note = args["input"].get("declineNote")
        ctx.emulator.emit(ctx.shop, "returns/decline", return_payload(ret))
    return payload("ReturnDeclinePayload", ctx, ret, errors)


@mutation("returnCancel")
def return_cancel(ctx: Context, args: dict[str, Any]) -> View:
    """Cancel a requested or open return that nothing was processed on."""
    ret = ctx.shop.returns.get(parse_gid(args["id"], "Return"))
    errors: list[View] = []
    if ret is None:
        errors = [user_error("NOT_FOUND", "Return does not exist.", ["id"])]
    elif ret.status not in ("REQUESTED", "OPEN") or any(li.processed_quantity for li in ret.lines):
        errors = [
            user_error("INVALID_STATE", f"Return is {ret.status} and cannot be canceled.", ["id"])
        ]
    else:
        ret.status = "CANCELED"
        ctx.emulator.emit(ctx.shop, "returns/cancel", return_payload(ret))
    return payload("ReturnCancelPayload", ctx, ret, errors)


@mutation("returnClose")
def return_close(ctx: Context, args: dict[str, Any]) -> View:
    """Close an open return."""
    ret, errors = find_return(ctx, args["id"], "OPEN")
    if ret is not None:
        ret.status, ret.closed_at = "CLOSED", st.utcnow()
        ctx.emulator.emit(ctx.shop, "returns/close", return_payload(ret))
    return payload("ReturnClosePayload", ctx, ret, errors)
