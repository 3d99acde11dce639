"""Shopify returns in the emulator: request, approve, decline, dispose, process, close."""

from __future__ import annotations

RETURN_CREATE = """
mutation($input: ReturnInput!) {
  returnCreate(returnInput: $input) {
    return {
      id status
      returnLineItems(first: 10) { nodes { ... on ReturnLineItem { id quantity } } }
      reverseFulfillmentOrders(first: 5) {
        nodes { id lineItems(first: 10) { nodes { id totalQuantity } } }
      }
    }
    userErrors { code field message }
  }
}
"""
DISPOSE = """
mutation($d: [ReverseFulfillmentOrderDisposeInput!]!) {
  reverseFulfillmentOrderDispose(dispositionInputs: $d) { userErrors { code } }
}
"""
PROCESS = """
mutation($input: ReturnProcessInput!) {
  returnProcess(input: $input) { return { status } userErrors { code message } }
}
"""
APPROVE = """
mutation($i: ReturnApproveRequestInput!) { returnApproveRequest(input: $i) { userErrors { code } } }
"""
DECLINE = """
mutation($i: ReturnDeclineRequestInput!) {
  returnDeclineRequest(input: $i) { return { status decline { reason note } } }
}
"""
CLOSE = "mutation($id: ID!) { returnClose(id: $id) { return { status } } }"


def _order(seeder, shop, quantity=2):
    variant = seeder.product(shop, "Boot", [{"sku": "BOOT", "price": "50.00", "stock": 10}])[0]
    customer = seeder.customer(shop, "bo@example.com")
    return seeder.order(shop, customer, [(variant, quantity)]), variant


def _return_input(order, quantity):
    fli = order.fulfillments[0].lines[0].id
    return {
        "orderId": f"gid://shopify/Order/{order.id}",
        "returnLineItems": [
            {
                "fulfillmentLineItemId": f"gid://shopify/FulfillmentLineItem/{fli}",
                "quantity": quantity,
            }
        ],
    }


def _refund(order, amount):
    transaction = {
        "transactionAmount": {"amount": amount, "currencyCode": "USD"},
        "parentId": f"gid://shopify/OrderTransaction/{order.id}",
    }
    return {"issueRefund": {"orderTransactions": [transaction]}}


def test_create_dispose_process_close(admin, seeder, shop):
    order, variant = _order(seeder, shop)
    assert seeder.stock(shop, variant) == 8
    created = admin.data(RETURN_CREATE, {"input": _return_input(order, 2)})["returnCreate"]
    assert created["userErrors"] == []
    ret = created["return"]
    assert ret["status"] == "OPEN"
    rfo_line = ret["reverseFulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"][0]
    location = f"gid://shopify/Location/{next(iter(shop.locations))}"
    dispositions = [
        {
            "reverseFulfillmentOrderLineItemId": rfo_line["id"],
            "quantity": 1,
            "dispositionType": "RESTOCKED",
            "locationId": location,
        },
        {
            "reverseFulfillmentOrderLineItemId": rfo_line["id"],
            "quantity": 1,
            "dispositionType": "NOT_RESTOCKED",
        },
    ]
    assert (
        admin.data(DISPOSE, {"d": dispositions})["reverseFulfillmentOrderDispose"]["userErrors"]
        == []
    )
    assert seeder.stock(shop, variant) == 9
    line_id = ret["returnLineItems"]["nodes"][0]["id"]
    processed = admin.data(
        PROCESS,
        {
            "input": {
                "returnId": ret["id"],
                "returnLineItems": [{"id": line_id, "quantity": 2}],
                "financialTransfer": _refund(order, "100.00"),
            }
        },
    )
    assert processed["returnProcess"]["userErrors"] == []
    assert order.refunds[0].amount == 100
    assert order.financial_status == "REFUNDED"
    assert admin.data(CLOSE, {"id": ret["id"]})["returnClose"]["return"]["status"] == "CLOSED"


def test_over_refund_is_refused(admin, seeder, shop):
    order, _ = _order(seeder, shop, quantity=1)
    ret = seeder.request_return(shop, order, {order.line_items[0].id: 1})
    admin.data(APPROVE, {"i": {"id": f"gid://shopify/Return/{ret.id}"}})
    answer = admin.data(
        PROCESS,
        {
            "input": {
                "returnId": f"gid://shopify/Return/{ret.id}",
                "financialTransfer": _refund(order, "999"),
            }
        },
    )
    assert answer["returnProcess"]["userErrors"][0]["code"] == "INVALID"
    assert order.refunds == []


def test_request_then_decline(admin, seeder, shop):
    order, _ = _order(seeder, shop)
    ret = seeder.request_return(shop, order, {order.line_items[0].id: 1})
    assert ret.status == "REQUESTED"
    decline = {
        "id": f"gid://shopify/Return/{ret.id}",
        "declineReason": "FINAL_SALE",
        "declineNote": "Final",
    }
    answer = admin.data(DECLINE, {"i": decline})["returnDeclineRequest"]["return"]
    assert answer == {"status": "DECLINED", "decline": {"reason": "FINAL_SALE", "note": "Final"}}


def test_cannot_return_more_than_fulfilled(admin, seeder, shop):
    order, _ = _order(seeder, shop, quantity=1)
    answer = admin.data(RETURN_CREATE, {"input": _return_input(order, 2)})
    assert answer["returnCreate"]["userErrors"][0]["code"] == "INVALID"
