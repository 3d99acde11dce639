"""Global ids, cursor pagination and search queries, as the Admin API does them.

- Global ids: https://shopify.dev/docs/api/usage/gids
- Cursor-based pagination (``first``/``after``, ``last``/``before``, ``pageInfo``, at most 250
  per page): https://shopify.dev/docs/api/usage/pagination-graphql
- Search syntax (``updated_at:>=2026-01-01T00:00:00Z``, ``id:>123``, ``email:a@b.c``):
  https://shopify.dev/docs/api/usage/search-syntax
"""

from __future__ import annotations

import base64
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from itertools import islice
from typing import Any

from sandbox.shopify.executor import QueryError, View

MAX_PAGE_SIZE = 250
_TERM = re.compile(r"(\w+):(>=|<=|>|<)?('[^']*'|\"[^\"]*\"|\S+)")


def gid(type_name: str, numeric_id: int) -> str:
    """``gid://shopify/<Type>/<id>``."""
    return f"gid://shopify/{type_name}/{numeric_id}"


def parse_gid(value: str, type_name: str | None = None) -> int:
    """The numeric id of a global id, checking its type when one is given."""
    match = re.fullmatch(r"gid://shopify/(\w+)/(\d+)(\?.*)?", value or "")
    if match is None or (type_name is not None and match.group(1) != type_name):
        raise QueryError(f"Invalid global id '{value}'", "argumentLiteralsIncompatible")
    return int(match.group(2))


def gid_type(value: str) -> str:
    """The type name of a global id."""
    match = re.fullmatch(r"gid://shopify/(\w+)/\d+(\?.*)?", value or "")
    if match is None:
        raise QueryError(f"Invalid global id '{value}'", "argumentLiteralsIncompatible")
    return match.group(1)


def _cursor(numeric_id: int) -> str:
    return base64.b64encode(f"id:{numeric_id}".encode()).decode()


def _uncursor(cursor: str) -> int:
    try:
        return int(base64.b64decode(cursor).decode().removeprefix("id:"))
    except ValueError as exc:
        raise QueryError("Invalid cursor", "invalidCursor") from exc


def _compare(actual: Any, op: str, wanted: str) -> bool:
    if isinstance(actual, datetime):
        other: Any = datetime.fromisoformat(wanted.replace("Z", "+00:00"))
    elif isinstance(actual, int):
        other = int(wanted)
    else:
        return str(actual).lower() == wanted.lower()
    outcome: bool = {
        ">": actual > other,
        ">=": actual >= other,
        "<": actual < other,
        "<=": actual <= other,
        "": actual == other,
    }[op]
    return outcome


Terms = list[tuple[str, str, str]]


def compile_search(query: str | None) -> Terms:
    """The ``name:op value`` terms of a search query (AND only)."""
    return [(name, op or "", raw.strip("'\"")) for name, op, raw in _TERM.findall(query or "")]


def matches_terms(fields: dict[str, Any], terms: Terms) -> bool:
    """Whether a record's searchable fields satisfy every term."""
    # Shopify ignores terms on fields it does not know.
    return all(_compare(fields[name], op, value) for name, op, value in terms if name in fields)


def matches_search(fields: dict[str, Any], query: str | None) -> bool:
    """Whether a record's searchable fields satisfy every term of ``query``."""
    return matches_terms(fields, compile_search(query))


def _size(args: dict[str, Any]) -> int:
    first, last = args.get("first"), args.get("last")
    size = first if first is not None else last
    if size is None:
        raise QueryError("you must provide one of first or last", "missingRequiredArguments")
    if size > MAX_PAGE_SIZE and not args.get("__unbounded"):
        raise QueryError(f"The page size must be at most {MAX_PAGE_SIZE}", "maxPageSizeExceeded")
    return int(size)


def _page(
    page: list[tuple[int, Any]],
    has_more: bool,
    args: dict[str, Any],
    view: Callable[[Any], View],
    type_name: str,
) -> View:
    edges = [
        {"__typename": f"{type_name}Edge", "cursor": _cursor(i), "node": view(r)} for i, r in page
    ]
    forward = args.get("first") is not None
    return {
        "__typename": f"{type_name}Connection",
        "edges": edges,
        "nodes": [edge["node"] for edge in edges],
        "pageInfo": {
            "__typename": "PageInfo",
            "hasNextPage": has_more if forward else False,
            "hasPreviousPage": bool(args.get("after")) if forward else has_more,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def connection(
    items: Iterable[tuple[int, Any]],
    args: dict[str, Any],
    view: Callable[[Any], View],
    type_name: str,
) -> View:
    """A ``<Type>Connection`` over ``(id, record)`` pairs, sorted by id and paged by ``args``."""
    size = _size(args)
    reverse = bool(args.get("reverse"))
    ordered = sorted(items, key=lambda pair: pair[0], reverse=reverse)
    if args.get("after"):
        after = _uncursor(args["after"])
        ordered = [p for p in ordered if (p[0] < after if reverse else p[0] > after)]
    if args.get("before"):
        before = _uncursor(args["before"])
        ordered = [p for p in ordered if (p[0] > before if reverse else p[0] < before)]
    page = ordered[:size] if args.get("first") is not None else ordered[-size:] if size else []
    return _page(page, len(ordered) > len(page), args, view, type_name)


def search_connection(
    records: Mapping[int, Any],
    args: dict[str, Any],
    fields_of: Callable[[Any], dict[str, Any]],
    view: Callable[[Any], View],
    type_name: str,
    visible: Callable[[Any], bool] = lambda _: True,
) -> View:
    """A connection over a shop's records filtered by ``query``, reading only one page's worth
    when paging forward (records are kept in id order: ids only ever grow)."""
    terms = compile_search(args.get("query"))

    def keep(record: Any) -> bool:
        return visible(record) and (not terms or matches_terms(fields_of(record), terms))

    if args.get("first") is None or args.get("before") or args.get("reverse"):
        return connection([(i, r) for i, r in records.items() if keep(r)], args, view, type_name)
    size, ids = _size(args), list(records)
    start = bisect_right(ids, _uncursor(args["after"])) if args.get("after") else 0
    page: list[tuple[int, Any]] = []
    for numeric_id in islice(ids, start, None):
        record = records[numeric_id]
        if keep(record):
            if len(page) == size:
                return _page(page, True, args, view, type_name)
            page.append((numeric_id, record))
    return _page(page, False, args, view, type_name)


def money(amount: Any, currency: str) -> View:
    """A ``MoneyV2``."""
    return {"__typename": "MoneyV2", "amount": str(amount), "currencyCode": currency}


def money_bag(amount: Any, currency: str) -> View:
    """A ``MoneyBag`` with the same amount in shop and presentment currency."""
    value = money(amount, currency)
    return {"__typename": "MoneyBag", "shopMoney": value, "presentmentMoney": value}
