"""Calculated query cost and the leaky bucket that limits it.

Follows https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits and
https://shopify.dev/docs/api/usage/limits: every app-and-shop pair has a bucket whose size
and restore rate depend on the shop's plan; a query runs only if the bucket holds its
*requested* cost, and the difference to its *actual* cost is refunded afterwards. Scalars
and enums cost 0, objects 1, connections 2 plus their nodes times ``first``/``last``, and a
mutation 10. A single query may not request more than 1,000 points.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionNode,
)
from graphql.utilities import value_from_ast_untyped

# Restore rate in points per second, per plan (shopify.dev rate-limits page, "Plan" table).
RESTORE_RATES: dict[str, int] = {"standard": 100, "advanced": 200, "plus": 1000, "enterprise": 2000}
# The bucket holds twenty seconds of restore (1,000 points at the historical 50 points/s;
# 2,000 at today's Standard 100 points/s), https://shopify.dev/docs/api/usage/limits.
BUCKET_SECONDS = 20
MAX_SINGLE_QUERY_COST = 1000
MUTATION_COST = 10


@dataclass
class LeakyBucket:
    """Points available to one app on one shop, refilled continuously at ``restore_rate``."""

    maximum: float
    restore_rate: float
    clock: Callable[[], float] = time.monotonic
    available: float = -1.0
    _last: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.available < 0:
            self.available = self.maximum
        self._last = self.clock()

    @classmethod
    def for_plan(cls, plan: str, clock: Callable[[], float] = time.monotonic) -> LeakyBucket:
        """A full bucket sized for ``plan`` (standard, advanced, plus, enterprise)."""
        rate = RESTORE_RATES[plan]
        return cls(maximum=rate * BUCKET_SECONDS, restore_rate=rate, clock=clock)

    def _refill(self) -> None:
        now = self.clock()
        self.available = min(self.maximum, self.available + (now - self._last) * self.restore_rate)
        self._last = now

    def try_take(self, points: int) -> bool:
        """Take ``points`` if the bucket holds them; say whether it did."""
        with self._lock:
            self._refill()
            if self.available < points:
                return False
            self.available -= points
            return True

    def refund(self, points: int) -> None:
        """Give back what a query requested but did not use."""
        with self._lock:
            self.available = min(self.maximum, self.available + points)

    def status(self) -> dict[str, float]:
        """The ``throttleStatus`` object Shopify puts in ``extensions.cost``."""
        with self._lock:
            self._refill()
            return {
                "maximumAvailable": float(self.maximum),
                "currentlyAvailable": float(int(self.available)),
                "restoreRate": float(self.restore_rate),
            }


def page_size(node: FieldNode, variables: Mapping[str, Any]) -> int | None:
    """The ``first`` or ``last`` argument of a connection field, or None for other fields."""
    for argument in node.arguments or ():
        if argument.name.value in ("first", "last"):
            value = value_from_ast_untyped(argument.value, dict(variables))
            return int(value) if value is not None else 0
    return None


def _flatten(
    selections: tuple[SelectionNode, ...], fragments: Mapping[str, FragmentDefinitionNode]
) -> list[FieldNode]:
    """The fields of a selection set with its fragments spread in place."""
    fields: list[FieldNode] = []
    for selection in selections:
        if isinstance(selection, FieldNode):
            fields.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            fields.extend(_flatten(selection.selection_set.selections, fragments))
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments[selection.name.value]
            fields.extend(_flatten(fragment.selection_set.selections, fragments))
    return fields


def node_selections(
    connection: FieldNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> tuple[SelectionNode, ...]:
    """What a connection selects on each node, through ``nodes`` or ``edges { node }``."""
    assert connection.selection_set is not None
    for field_node in _flatten(connection.selection_set.selections, fragments):
        if field_node.name.value == "nodes" and field_node.selection_set:
            return field_node.selection_set.selections
        if field_node.name.value == "edges" and field_node.selection_set:
            for inner in _flatten(field_node.selection_set.selections, fragments):
                if inner.name.value == "node" and inner.selection_set:
                    return inner.selection_set.selections
    return ()


def requested_cost(
    selections: tuple[SelectionNode, ...],
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> int:
    """Worst-case cost of a selection set, computed before anything runs."""
    total = 0
    for field_node in _flatten(selections, fragments):
        if field_node.selection_set is None:
            continue  # scalars and enums are free
        size = page_size(field_node, variables)
        if size is None:
            total += 1 + requested_cost(field_node.selection_set.selections, fragments, variables)
        else:
            per_node = 1 + requested_cost(
                node_selections(field_node, fragments), fragments, variables
            )
            total += 2 + size * per_node
    return total
