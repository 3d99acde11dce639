"""Mutations on orders (tags, note) and ``bulkOperationRunQuery``.

- https://shopify.dev/docs/api/admin-graphql/latest/mutations/tagsAdd
- https://shopify.dev/docs/api/admin-graphql/latest/mutations/orderUpdate
- https://shopify.dev/docs/api/admin-graphql/latest/mutations/bulkOperationRunQuery
Changing an order sends ``orders/updated`` (https://shopify.dev/docs/api/webhooks).
"""

from __future__ import annotations

from typing import Any

from sandbox.shopify import bulk
from sandbox.shopify.connections import gid, parse_gid
from sandbox.shopify.executor import View
from sandbox.shopify.graphql_api import Context, mutation
from sandbox.shopify.order_views import order_view
from sandbox.shopify.payloads import order_payload
from sandbox.shopify.state import Order, utcnow


def _touch(ctx: Context, order: Order) -> None:
    order.updated_at = utcnow()
    ctx.emulator.emit(ctx.shop, "orders/updated", order_payload(ctx.shop, order))


def _error(message: str, field: list[str]) -> View:
    return {"__typename": "UserError", "message": message, "field": field}


@mutation("tagsAdd")
def tags_add(ctx: Context, args: dict[str, Any]) -> View:
    """Add tags to an order (the only taggable type the emulator knows)."""
    order = ctx.shop.orders.get(parse_gid(args["id"], "Order"))
    if order is None:
        return {
            "__typename": "TagsAddPayload",
            "node": None,
            "userErrors": [_error("Order not found", ["id"])],
        }
    added = [tag for tag in args["tags"] if tag not in order.tags]
    if added:
        order.tags.extend(added)
        _touch(ctx, order)
    return {"__typename": "TagsAddPayload", "node": order_view(ctx.shop, order), "userErrors": []}


@mutation("orderUpdate")
def order_update(ctx: Context, args: dict[str, Any]) -> View:
    """Change an order's note or tags."""
    data = args["input"]
    order = ctx.shop.orders.get(parse_gid(data["id"], "Order"))
    if order is None:
        return {
            "__typename": "OrderUpdatePayload",
            "order": None,
            "userErrors": [_error("Order not found", ["id"])],
        }
    if "note" in data:
        order.note = data["note"] or ""
    if "tags" in data:
        order.tags = list(data["tags"] or [])
    _touch(ctx, order)
    return {
        "__typename": "OrderUpdatePayload",
        "order": order_view(ctx.shop, order),
        "userErrors": [],
    }


@mutation("bulkOperationRunQuery")
def bulk_operation_run_query(ctx: Context, args: dict[str, Any]) -> View:
    """Start a bulk query."""
    try:
        record = bulk.start(ctx, args["query"])
    except ValueError as exc:
        error = {
            "__typename": "BulkOperationUserError",
            "code": "OPERATION_IN_PROGRESS" if "in progress" in str(exc) else "INVALID",
            "message": str(exc),
            "field": ["query"],
        }
        return {
            "__typename": "BulkOperationRunQueryPayload",
            "bulkOperation": None,
            "userErrors": [error],
        }
    view = bulk.bulk_operation_view(record)
    view["id"] = gid("BulkOperation", record.id)
    return {"__typename": "BulkOperationRunQueryPayload", "bulkOperation": view, "userErrors": []}
