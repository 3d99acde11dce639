"""Apply settlements (refund, store credit) to Shopify exactly once.

- With a Shopify return: ``returnProcess`` records the processed quantities, the
  dispositions of lines not restocked and the refund (original payment or store credit)
  (https://shopify.dev/docs/api/admin-graphql/latest/mutations/returnProcess), then a tag,
  a note and ``returnClose``.
- Without one (Shopify could not take the return): ``refundCreate``
  (https://shopify.dev/docs/api/admin-graphql/latest/mutations/refundCreate), then the
  tag and the note.
Both carry the settlement's idempotency key as ``@idempotent(key:)``, mandatory for refunds
in 2026-04 (https://shopify.dev/changelog/making-idempotency-mandatory-for-inventory-adjustments-and-refund-mutations),
and are built only from what does not change once applied, so a retry sends the same request.
"""

from __future__ import annotations

from typing import Any

from connectors.shopify import returns
from connectors.shopify.client import Api, user_errors
from connectors.shopify.consts import ORDER_TAG
from core.enums import Disposition, Grade, ResolutionKind
from core.errors import FatalStoreError
from core.models import ReturnRequest, Settlement
from core.ports import StoreAnswer

MISMATCH = "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"  # this key already took effect: carry on
NOT_RESTOCKED_AS = {
    Disposition.REFURBISH: "PROCESSING_REQUIRED",
    Disposition.DISPOSE: "NOT_RESTOCKED",
    Disposition.RETURN_TO_VENDOR: "NOT_RESTOCKED",
    Disposition.KEEP: "NOT_RESTOCKED",
}


def _process_lines(api: Api, request: ReturnRequest) -> list[dict[str, Any]]:
    """``returnProcess`` line inputs, built only from what does not change once processed
    (the lines' quantities and grades), so a retry under the same key sends the same request."""
    data = api("return_lines", {"id": request.platform_return_id})["return"]
    rfo = {
        rfo_line["fulfillmentLineItem"]["lineItem"]["id"]: rfo_line
        for rfo in data["reverseFulfillmentOrders"]["nodes"]
        for rfo_line in rfo["lineItems"]["nodes"]
    }
    by_line = {line.order_line.platform_id: line for line in request.lines}
    inputs = []
    for node in data["returnLineItems"]["nodes"]:
        line_item_id = node["fulfillmentLineItem"]["lineItem"]["id"]
        line = by_line.get(line_item_id)
        if line is None:
            continue
        item: dict[str, Any] = {"id": node["id"], "quantity": int(node["quantity"])}
        missing = line.grade == Grade.MISSING
        kind = (
            "MISSING" if missing else NOT_RESTOCKED_AS.get(line.disposition or Disposition.RESTOCK)
        )
        if kind and line_item_id in rfo:
            disposition = {
                "reverseFulfillmentOrderLineItemId": rfo[line_item_id]["id"],
                "quantity": int(node["quantity"]),
                "dispositionType": kind,
            }
            item["dispositions"] = [disposition]
        inputs.append(item)
    return inputs


def _money_back(api: Api, settlement: Settlement) -> tuple[dict[str, Any] | None, list[Any]]:
    """The original payment to refund against (or None for store credit) and refund methods."""
    money = {"amount": str(settlement.amount), "currencyCode": settlement.currency}
    if settlement.kind == ResolutionKind.STORE_CREDIT:
        return None, [{"storeCreditRefund": {"amount": money}}]
    _, sale = returns.fulfillment_lines(api, settlement.request.order)
    if sale is None:
        raise FatalStoreError("the order has no successful payment to refund")
    return sale, []


def _return_process(api: Api, settlement: Settlement) -> dict[str, Any]:
    request = settlement.request
    process: dict[str, Any] = {
        "returnId": request.platform_return_id,
        "returnLineItems": _process_lines(api, request),
    }
    if settlement.amount > 0:
        sale, methods = _money_back(api, settlement)
        money = {"amount": str(settlement.amount), "currencyCode": settlement.currency}
        transactions = [{"transactionAmount": money, "parentId": sale["id"]}] if sale else []
        refund = {"orderTransactions": transactions, "refundMethods": methods}
        process["financialTransfer"] = {"issueRefund": refund}
    variables = {"input": process, "key": settlement.idempotency_key}
    payload: dict[str, Any] = api("return_process", variables)["returnProcess"]
    return payload


def _refund_create(api: Api, settlement: Settlement) -> dict[str, Any]:
    request = settlement.request
    refund: dict[str, Any] = {
        "orderId": request.order.platform_id,
        "note": f"Reshelf return {request.rma}",
        "refundLineItems": [
            {
                "lineItemId": line.order_line.platform_id,
                "quantity": line.quantity,
                "restockType": "NO_RESTOCK",
            }  # stock comes back through the ledger's movements
            for line in request.lines
        ],
    }
    if settlement.amount > 0:
        sale, methods = _money_back(api, settlement)
        refund["refundMethods"] = methods
        if sale is not None:
            refund["transactions"] = [
                {
                    "orderId": request.order.platform_id,
                    "parentId": sale["id"],
                    "kind": "REFUND",
                    "gateway": sale["gateway"],
                    "amount": str(settlement.amount),
                }
            ]
    payload: dict[str, Any] = api(
        "refund_create", {"input": refund, "key": settlement.idempotency_key}
    )["refundCreate"]
    return payload


def apply_settlement(api: Api, settlement: Settlement) -> StoreAnswer:
    """Refund or credit, once: through the Shopify return if there is one, else a refund."""
    request = settlement.request
    if settlement.kind == ResolutionKind.EXCHANGE:
        raise FatalStoreError("exchanges are not supported through Shopify returns yet")
    if request.platform_return_id is None and request.platform_data.get("shopify_state") is None:
        returns.create_in_shopify(request, api)
    in_shopify = request.platform_return_id is not None
    payload = _return_process(api, settlement) if in_shopify else _refund_create(api, settlement)
    errors = [e for e in user_errors(payload) if e.get("code") != MISMATCH]
    if errors:
        raise FatalStoreError(f"refund: {errors[0]['message']}")
    order_id = request.order.platform_id
    api("tags_add", {"id": order_id, "tags": [ORDER_TAG]})
    what = settlement.kind.value.replace("_", " ")
    note = f"Reshelf return {request.rma}: {what} {settlement.amount} {settlement.currency}"
    api("order_note", {"input": {"id": order_id, "note": note}})
    if in_shopify:
        returns.close(request, api)
    reference = request.platform_return_id or ((payload.get("refund") or {}).get("id"))
    return StoreAnswer(reference=reference, raw=payload)
