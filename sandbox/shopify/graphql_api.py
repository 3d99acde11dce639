"""The ``/admin/api/<version>/graphql.json`` endpoint: cost, throttling, idempotency, execution.

- Cost and ``extensions.cost`` on every answer, ``THROTTLED`` when the bucket cannot pay the
  requested cost, ``MAX_COST_EXCEEDED`` above 1,000 points:
  https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
- ``@idempotent(key:)`` on mutation fields: see ``sandbox.shopify.idempotency``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, parse
from graphql.language import DocumentNode, FieldNode, OperationType

from sandbox.shopify.cost import MAX_SINGLE_QUERY_COST, MUTATION_COST, requested_cost
from sandbox.shopify.executor import Operation, QueryError, undefined_field
from sandbox.shopify.idempotency import run_mutation
from sandbox.shopify.state import Shop

if TYPE_CHECKING:
    from sandbox.shopify.emulator import Emulator


@dataclass
class Context:
    """What a root resolver may use: the shop, the emulator (events, bulk), the public URL."""

    shop: Shop
    emulator: Emulator
    base_url: str
    scopes: frozenset[str] = frozenset()  # the access token's; empty means every scope

    def sees_all_orders(self) -> bool:
        """Whether the token may read orders older than 60 days (``read_all_orders``)."""
        return not self.scopes or "read_all_orders" in self.scopes


RootResolver = Callable[[Context, dict[str, Any]], Any]
QUERIES: dict[str, RootResolver] = {}
MUTATIONS: dict[str, RootResolver] = {}


def query(name: str) -> Callable[[RootResolver], RootResolver]:
    """Register a ``QueryRoot`` field."""

    def register(resolver: RootResolver) -> RootResolver:
        QUERIES[name] = resolver
        return resolver

    return register


def mutation(name: str) -> Callable[[RootResolver], RootResolver]:
    """Register a ``Mutation`` field."""

    def register(resolver: RootResolver) -> RootResolver:
        MUTATIONS[name] = resolver
        return resolver

    return register


def _cost(requested: int, actual: int | None, shop: Shop) -> dict[str, Any]:
    return {
        "requestedQueryCost": requested,
        "actualQueryCost": actual,
        "throttleStatus": shop.bucket.status(),
    }


@lru_cache(maxsize=256)
def _parsed(query: str) -> DocumentNode:
    """A document parsed once: apps send the same few documents again and again, and
    parsing took a third of a page's time (the tree is only read, never changed)."""
    return parse(query)


def answer(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    """Run one GraphQL request for ``ctx.shop`` and build the JSON answer."""
    try:
        document = _parsed(body.get("query") or "")
    except GraphQLError as exc:
        return {"errors": [exc.formatted]}
    requested = 0
    try:
        operation = Operation.select(document, body.get("operationName"), body.get("variables"))
        is_mutation = operation.definition.operation == OperationType.MUTATION
        roots = MUTATIONS if is_mutation else QUERIES
        fields = operation.root_fields()
        for node in fields:
            if node.name.value not in roots and node.name.value != "__typename":
                raise undefined_field(node, "Mutation" if is_mutation else "QueryRoot")
        if is_mutation:
            requested = MUTATION_COST * len(fields)
        else:
            requested = requested_cost(
                operation.definition.selection_set.selections,
                operation.fragments,
                operation.variables,
            )
        if requested > MAX_SINGLE_QUERY_COST:
            raise QueryError(
                f"Query cost is {requested}, which exceeds the single query max cost limit "
                f"({MAX_SINGLE_QUERY_COST}).",
                "MAX_COST_EXCEEDED",
                cost=requested,
                maxCost=MAX_SINGLE_QUERY_COST,
            )
        if not ctx.shop.bucket.try_take(requested):
            raise QueryError(
                "Throttled", "THROTTLED", documentation="https://shopify.dev/api/usage/rate-limits"
            )
    except QueryError as exc:
        return {"errors": [exc.error], "extensions": {"cost": _cost(requested, None, ctx.shop)}}
    try:
        data, actual = _execute(ctx, operation, fields, roots, is_mutation)
    except QueryError as exc:
        ctx.shop.bucket.refund(requested)
        return {"errors": [exc.error], "extensions": {"cost": _cost(requested, None, ctx.shop)}}
    if is_mutation:
        actual = requested
    ctx.shop.bucket.refund(max(requested - actual, 0))
    return {"data": data, "extensions": {"cost": _cost(requested, actual, ctx.shop)}}


def _execute(
    ctx: Context,
    operation: Operation,
    fields: list[FieldNode],
    roots: dict[str, RootResolver],
    is_mutation: bool,
) -> tuple[dict[str, Any], int]:
    data: dict[str, Any] = {}
    actual = 0
    with ctx.shop.lock:
        for node in fields:
            key = node.alias.value if node.alias else node.name.value
            if node.name.value == "__typename":
                data[key] = "Mutation" if is_mutation else "QueryRoot"
                continue
            if is_mutation:
                data[key], cost = run_mutation(ctx, operation, node, roots[node.name.value])
            else:
                value = roots[node.name.value](ctx, operation.arguments(node))
                data[key], cost = operation.project(value, node)
            actual += cost
    return data, actual
