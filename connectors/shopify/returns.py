"""Keep Shopify's own returns in step with Reshelf's: create, request, approve, decline, close.

https://shopify.dev/docs/apps/build/orders-fulfillment/returns-apps: a return started in
Reshelf's portal is created in Shopify (``returnCreate`` when approved, ``returnRequest``
when it waits for review) so the merchant sees it there; a shopper's request made in
Shopify (``returns/request``) is decided by Reshelf's policy and answered with
``returnApproveRequest`` or ``returnDeclineRequest``. Every mutation carries an
``@idempotent`` key derived from the return, so a retried job has no second effect.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session, object_session

from connectors.shopify import reasons
from connectors.shopify.client import Api, user_errors
from core.clock import SystemClock
from core.enums import Channel, ReturnStatus
from core.errors import FatalStoreError, NotEligible
from core.models import Order, ReturnReason, ReturnRequest, Shop
from core.ports import NullDispatcher
from core.services.platform_returns import (
    PlatformReturn,
    adopt_platform_return,
    mirrored_order,
)

log = logging.getLogger(__name__)
OPENED = (
    ReturnStatus.APPROVED,
    ReturnStatus.IN_TRANSIT,
    ReturnStatus.RECEIVED,
    ReturnStatus.GRADED,
)


def _key(request: ReturnRequest, step: str) -> str:
    return f"reshelf-{request.shop_id}-return-{request.id}-{step}"


def _state(request: ReturnRequest, value: str | None = None) -> str | None:
    """What Reshelf last made Shopify's return (requested, open, declined, closed)."""
    if value is not None:
        request.platform_data = {**request.platform_data, "shopify_state": value}
    state = request.platform_data.get("shopify_state")
    return str(state) if state else None


def _checked(
    payload: dict[str, Any] | None, what: str, allow: tuple[str, ...] = ()
) -> dict[str, Any]:
    errors = [e for e in user_errors(payload) if e.get("code") not in allow]
    if errors:
        raise FatalStoreError(f"{what}: {errors[0].get('message')} ({errors[0].get('code')})")
    return payload or {}


def decline_input(return_id: str | None, reasons: list[str]) -> dict[str, Any]:
    """``returnDeclineRequest``'s input: the policy's sentences as the shopper's note, and the
    closest of Shopify's decline reasons (``ReturnDeclineReason``)."""
    note = "; ".join(reasons)[:500]
    lowered = note.lower()
    if "final sale" in lowered:
        reason = "FINAL_SALE"
    elif any(word in lowered for word in ("days", "window", "period")):
        reason = "RETURN_PERIOD_ENDED"
    else:
        reason = "OTHER"
    return {"id": return_id, "declineReason": reason, "declineNote": note or None}


def fulfillment_lines(
    api: Api, order: Order
) -> tuple[dict[str, list[tuple[str, int]]], dict[str, Any] | None]:
    """Fulfillment line items by line item id, and the order's successful sale transaction."""
    data = api("order_fulfillment_lines", {"id": order.platform_id})["order"]
    lines: dict[str, list[tuple[str, int]]] = {}
    for fulfillment in data["fulfillments"]:
        for node in fulfillment["fulfillmentLineItems"]["nodes"]:
            lines.setdefault(node["lineItem"]["id"], []).append((node["id"], int(node["quantity"])))
    sale = next(
        (
            t
            for t in data["transactions"]
            if t["kind"] in ("SALE", "CAPTURE") and t["status"] == "SUCCESS"
        ),
        None,
    )
    return lines, sale


def _line_inputs(api: Api, request: ReturnRequest, note_field: str) -> list[dict[str, Any]]:
    by_line, _ = fulfillment_lines(api, request.order)
    reason_ids = reasons.definitions(api)
    inputs = []
    for line in request.lines:
        candidates = by_line.get(line.order_line.platform_id) or []
        if not candidates:
            raise Unavailable(f"{line.order_line.title} was never fulfilled in Shopify")
        item = {"fulfillmentLineItemId": candidates[0][0], "quantity": line.quantity}
        session = object_session(line)
        reason = session.get(ReturnReason, line.reason_id) if session and line.reason_id else None
        reason_id = reason_ids.get(reasons.handle_for(line, reason)) or reason_ids.get(
            reasons.FALLBACK
        )
        if reason_id:
            item["returnReasonDefinitionId"] = reason_id
        if line.comment:
            item[note_field] = line.comment[:300]
        inputs.append(item)
    return inputs


class Unavailable(Exception):
    """Shopify cannot hold this return (e.g. an older order with nothing fulfilled to return)."""


def create_in_shopify(request: ReturnRequest, api: Api) -> None:
    """Create the Shopify return of a portal return: open if approved, else requested.

    When Shopify cannot take it, the return goes on in Reshelf alone ("unavailable"): stock
    comes back with ``inventoryAdjustQuantities`` and money with ``refundCreate``.
    """
    try:
        _create(request, api)
    except Unavailable as why:
        log.warning("return %s stays out of Shopify: %s", request.rma, why)
        _state(request, "unavailable")


def _create(request: ReturnRequest, api: Api) -> None:
    if request.status in OPENED:
        lines = _line_inputs(api, request, "returnReasonNote")
        answer = api(
            "return_create",
            {
                "input": {"orderId": request.order.platform_id, "returnLineItems": lines},
                "key": _key(request, "create"),
            },
        )["returnCreate"]
        state = "open"
    else:
        lines = _line_inputs(api, request, "customerNote")
        answer = api(
            "return_request",
            {
                "input": {"orderId": request.order.platform_id, "returnLineItems": lines},
                "key": _key(request, "request"),
            },
        )["returnRequest"]
        state = "requested"
    if user_errors(answer):
        raise Unavailable(
            f"{user_errors(answer)[0].get('message')} ({user_errors(answer)[0].get('code')})"
        )
    request.platform_return_id = answer["return"]["id"]
    _state(request, state)


def push(request: ReturnRequest, api: Api) -> None:
    """Move Shopify's return to match Reshelf's status (each step once)."""
    state = _state(request)
    if request.platform_return_id is None:
        if request.status in (ReturnStatus.REJECTED, ReturnStatus.CANCELLED):
            return
        if state != "unavailable":
            create_in_shopify(request, api)
        state = _state(request)
    return_id = request.platform_return_id
    if state == "requested" and request.status in OPENED:
        answer = api(
            "return_approve", {"input": {"id": return_id}, "key": _key(request, "approve")}
        )
        _checked(answer["returnApproveRequest"], "approve return")
        _state(request, "open")
    elif state == "requested" and request.status == ReturnStatus.REJECTED:
        reasons = [r for d in request.decision.get("lines", []) for r in d.get("reasons", [])]
        decline = decline_input(return_id, reasons)
        answer = api("return_decline", {"input": decline, "key": _key(request, "decline")})
        _checked(answer["returnDeclineRequest"], "decline return")
        _state(request, "declined")
    elif state == "open" and request.status == ReturnStatus.CLOSED:
        close(request, api)
    elif state in ("requested", "open") and request.status == ReturnStatus.CANCELLED:
        answer = api("return_cancel", {"id": return_id, "key": _key(request, "cancel")})
        _checked(answer["returnCancel"], "cancel return", allow=("INVALID_STATE",))
        _state(request, "canceled")


def close(request: ReturnRequest, api: Api) -> None:
    """Close Shopify's return (already closed is fine)."""
    answer = api("return_close", {"id": request.platform_return_id, "key": _key(request, "close")})
    _checked(answer["returnClose"], "close return", allow=("INVALID_STATE",))
    _state(request, "closed")


def adopt_requested_return(session: Session, shop: Shop, body: dict[str, Any], api: Api) -> None:
    """A shopper asked Shopify for a return: core records and decides it, we answer Shopify."""
    return_id = body["admin_graphql_api_id"]
    # Before any store call: a return whose order is not mirrored yet is retried later.
    mirrored_order(session, shop, body["order"]["admin_graphql_api_id"])
    data = api("return_lines", {"id": return_id})["return"]
    started = PlatformReturn(
        platform_return_id=return_id,
        order_platform_id=body["order"]["admin_graphql_api_id"],
        lines=[
            (node["fulfillmentLineItem"]["lineItem"]["id"], node["quantity"])
            for node in data["returnLineItems"]["nodes"]
        ],
        channel=Channel.SHOPIFY,
        platform_data={"shopify_state": "requested"},
    )
    try:
        request = adopt_platform_return(
            session, shop, started, clock=SystemClock(), dispatcher=NullDispatcher()
        )
    except NotEligible as refused:
        decline = decline_input(return_id, refused.reasons)
        answer = api("return_decline", {"input": decline, "key": f"reshelf-decline-{body['id']}"})
        _checked(answer["returnDeclineRequest"], "decline return", allow=("INVALID_STATE",))
        return
    push(request, api)
