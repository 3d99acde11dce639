"""``@idempotent(key:)`` on mutation fields.

https://shopify.dev/docs/api/usage/idempotent-requests: a repeated key returns the first
result and has no second effect; the same key with different arguments is refused with
``IDEMPOTENCY_KEY_PARAMETER_MISMATCH``. As of 2026-04 the key is mandatory on inventory
adjustments (https://shopify.dev/changelog/making-idempotency-mandatory-for-inventory-adjustments-and-refund-mutations).
The emulator records a key only when the mutation took effect (no user errors): a refused
attempt changed nothing, so a retry under the same key runs afresh.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graphql.language import FieldNode
from graphql.utilities import value_from_ast_untyped

from sandbox.shopify.executor import Operation, QueryError

if TYPE_CHECKING:
    from sandbox.shopify.graphql_api import Context

REQUIRED = {"inventoryAdjustQuantities", "refundCreate"}


def idempotency_key(node: FieldNode, operation: Operation) -> str | None:
    """The field's ``@idempotent(key:)`` value, if any."""
    for directive in node.directives or ():
        if directive.name.value == "idempotent":
            for argument in directive.arguments or ():
                if argument.name.value == "key":
                    return str(value_from_ast_untyped(argument.value, operation.variables))
    return None


def _mismatch() -> dict[str, Any]:
    error = {
        "__typename": "UserError",
        "code": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
        "field": None,
        "message": "The idempotency key was already used with different arguments.",
    }
    return {"__typename": "Payload", "__lenient__": True, "userErrors": [error]}


def run_mutation(
    ctx: Context,
    operation: Operation,
    node: FieldNode,
    resolver: Callable[[Context, dict[str, Any]], Any],
) -> tuple[Any, int]:
    """Run one mutation field under its idempotency key; return its data and cost."""
    name, args = node.name.value, operation.arguments(node)
    key = idempotency_key(node, operation)
    if key is None:
        if name in REQUIRED:
            raise QueryError(f"{name} requires the @idempotent directive", "BAD_REQUEST")
        return operation.project(resolver(ctx, args), node)
    fingerprint = json.dumps(args, sort_keys=True, default=str)
    recorded = ctx.shop.idempotent_results.get(f"{name}:{key}")
    if recorded is not None:
        if recorded[0] != fingerprint:
            return operation.project(_mismatch(), node)
        return recorded[1], 0
    value = resolver(ctx, args)
    data, cost = operation.project(value, node)
    if not (value or {}).get("userErrors"):
        ctx.shop.idempotent_results[f"{name}:{key}"] = (fingerprint, data)
    return data, cost
