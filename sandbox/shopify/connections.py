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
from collections.abc import Callable, Iterable
from datetime import datetime
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


def matches_search(fields: dict[str, Any], query: str | None) -> bool:
    """Whether a record's searchable fields satisfy every term of ``query`` (AND only)."""
    for name, op, raw in _TERM.findall(query or ""):
        if name not in fields:
            continue  # Shopify ignores terms on unknown fields
        if not _compare(fields[name], op or "", raw.strip("'\"")):
            return False
    return True


def connection(
    items: Iterable[tuple[int, Any]],
    args: dict[str, Any],
    view: Callable[[Any], View],
    type_name: str,
) -> View:
    """A ``<Type>Connection`` over ``(id, record)`` pairs sorted by id, paged by ``args``."""
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise QueryError("you must provide one of first or last", "missingRequiredArguments")
    size = first if first is not None else last
    if size is None or (size > MAX_PAGE_SIZE and not args.get("__unbounded")):
        raise QueryError(f"The page size must be at most {MAX_PAGE_SIZE}", "maxPageSizeExceeded")
    ordered = sorted(items, key=lambda pair: pair[0], reverse=bool(args.get("reverse")))
    if args.get("after"):
        after = _uncursor(args["after"])
        ordered = [p for p in ordered if (p[0] < after if args.get("reverse") else p[0] > after)]
    if args.get("before"):
        before = _uncursor(args["before"])
        ordered = [p for p in ordered if (p[0] > before if args.get("reverse") else p[0] < before)]
    page = ordered[:size] if first is not None else ordered[-size:] if size else []
    has_more = len(ordered) > len(page)
    edges = [
        {"__typename": f"{type_name}Edge", "cursor": _cursor(i), "node": view(r)} for i, r in page
    ]
    return {
        "__typename": f"{type_name}Connection",
        "edges": edges,
        "nodes": [edge["node"] for edge in edges],
        "pageInfo": {
            "__typename": "PageInfo",
            "hasNextPage": has_more if first is not None else False,
            "hasPreviousPage": has_more if last is not None else bool(args.get("after")),
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def money(amount: Any, currency: str) -> View:
    """A ``MoneyV2``."""
    return {"__typename": "MoneyV2", "amount": str(amount), "currencyCode": currency}


def money_bag(amount: Any, currency: str) -> View:
    """A ``MoneyBag`` with the same amount in shop and presentment currency."""
    value = money(amount, currency)
    return {"__typename": "MoneyBag", "shopMoney": value, "presentmentMoney": value}
