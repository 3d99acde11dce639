"""Execute a GraphQL document by projecting resolver results onto its selection set.

The emulator carries no copy of Shopify's schema (the project runs from a clone without
``../shared``). Instead, each root field has a resolver returning plain "views": dicts with
a ``__typename`` whose values are data or callables taking the field's arguments. The
executor walks the parsed document (aliases, fragments, variables, ``@include``/``@skip``)
over those views, counts the actual query cost as it goes, and answers an unknown field the
way Shopify does: ``Field 'x' doesn't exist on type 'Y'`` with code ``undefinedField``
(https://shopify.dev/docs/api/admin-graphql#status-and-error-codes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql.language import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionNode,
)
from graphql.utilities import value_from_ast_untyped

from sandbox.shopify.cost import page_size

View = dict[str, Any]


class QueryError(Exception):
    """A request-level failure: the answer is ``{"errors": [...]}`` without data."""

    def __init__(self, message: str, code: str, **extra: Any) -> None:
        super().__init__(message)
        self.error: dict[str, Any] = {"message": message, "extensions": {"code": code, **extra}}


def undefined_field(node: FieldNode, type_name: str) -> QueryError:
    """The error Shopify gives for a field its schema does not have."""
    error = QueryError(
        f"Field '{node.name.value}' doesn't exist on type '{type_name}'",
        "undefinedField",
        typeName=type_name,
        fieldName=node.name.value,
    )
    if node.loc is not None:
        line, column = _line_column(node)
        error.error["locations"] = [{"line": line, "column": column}]
    return error


def _line_column(node: FieldNode) -> tuple[int, int]:
    assert node.loc is not None
    token = node.loc.start_token
    return token.line, token.column


@dataclass
class Operation:
    """One operation of a parsed document, with its fragments and coerced variables."""

    definition: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    variables: dict[str, Any]

    @classmethod
    def select(
        cls, document: DocumentNode, name: str | None, variables: Mapping[str, Any] | None
    ) -> Operation:
        """Pick the operation to run (by name when the document has several)."""
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        chosen = [o for o in operations if name is None or (o.name and o.name.value == name)]
        if len(chosen) != 1:
            raise QueryError("An operation name is required", "missingOperationName")
        definition = chosen[0]
        values = dict(variables or {})
        for var in definition.variable_definitions or ():
            key = var.variable.name.value
            if key not in values and var.default_value is not None:
                values[key] = value_from_ast_untyped(var.default_value)
        return cls(definition, fragments, values)

    def arguments(self, node: FieldNode) -> dict[str, Any]:
        """The field's arguments with variables substituted."""
        return {
            a.name.value: value_from_ast_untyped(a.value, self.variables)
            for a in node.arguments or ()
        }

    def root_fields(self) -> list[FieldNode]:
        """The operation's top-level fields, fragments spread."""
        return self.fields(self.definition.selection_set.selections, None)

    def fields(self, selections: tuple[SelectionNode, ...], view: View | None) -> list[FieldNode]:
        """Fields selected on ``view``: fragments whose type matches, directives honoured."""
        fields: list[FieldNode] = []
        for selection in selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                fields.append(selection)
                continue
            condition: NamedTypeNode | None
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                condition, inner = fragment.type_condition, fragment.selection_set
            else:
                assert isinstance(selection, InlineFragmentNode)
                condition, inner = selection.type_condition, selection.selection_set
            if condition is None or view is None or _matches(view, condition.name.value):
                fields.extend(self.fields(inner.selections, view))
        return fields

    def _included(self, selection: SelectionNode) -> bool:
        for directive in selection.directives or ():
            args = {
                a.name.value: value_from_ast_untyped(a.value, self.variables)
                for a in directive.arguments or ()
            }
            if directive.name.value == "skip" and args.get("if"):
                return False
            if directive.name.value == "include" and not args.get("if"):
                return False
        return True

    def project(self, value: Any, node: FieldNode) -> tuple[Any, int]:
        """Project a resolved value onto ``node``'s selection set; return it and its cost."""
        if node.selection_set is None or value is None:
            return value, 0
        if isinstance(value, list):
            projected = [self.project(item, node) for item in value]
            return [p for p, _ in projected], sum(c for _, c in projected)
        data, costs = self.project_view(value, node.selection_set.selections)
        if page_size(node, self.variables) is None:
            return data, 1 + sum(costs.values())
        edges = costs.get("edges", 0) - len(data.get("edges") or [])
        return data, 2 + max(costs.get("nodes", 0), edges)

    def project_view(
        self, view: View, selections: tuple[SelectionNode, ...]
    ) -> tuple[dict[str, Any], dict[str, int]]:
        """Project one object; return its data and the cost of each field by name."""
        data: dict[str, Any] = {}
        costs: dict[str, int] = {}
        for node in self.fields(selections, view):
            key = node.alias.value if node.alias else node.name.value
            name = node.name.value
            if name == "__typename":
                data[key] = view["__typename"]
                continue
            if name not in view:
                if view.get("__lenient__"):  # an error payload: unselected fields are null
                    data[key] = None
                    continue
                raise undefined_field(node, view["__typename"])
            raw = view[name]
            resolved = raw(self.arguments(node)) if callable(raw) else raw
            data[key], cost = self.project(resolved, node)
            costs[name] = costs.get(name, 0) + cost
        return data, costs


def _matches(view: View, type_name: str) -> bool:
    return bool(view["__typename"] == type_name or type_name in view.get("__implements", ()))


Resolver = Callable[[dict[str, Any]], Any]
