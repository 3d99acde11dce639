"""Collection queries: paging, ordering and date filters, with WordPress's headers.

Sources:
- WP_REST_Controller::get_collection_params() (wp-includes/rest-api/endpoints/
  class-wp-rest-controller.php): ``per_page`` 1..100, ``page`` >= 1; a value out of range
  is ``rest_invalid_param`` (400).
- WC_REST_CRUD_Controller::get_items() and prepare_objects_query()
  (includes/rest-api/Controllers/Version3/class-wc-rest-crud-controller.php):
  ``X-WP-Total``, ``X-WP-TotalPages`` and ``Link`` rel="prev"/"next" headers;
  ``modified_after``/``modified_before`` with ``dates_are_gmt`` compare
  ``date_modified_gmt`` instead of site time; ``after`` is exclusive (WP_Date_Query).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from math import ceil
from operator import itemgetter
from typing import Any
from urllib.parse import urlencode

from flask import Request

from .store import WC_DATE, Resource, WooError


def invalid_param(name: str, reason: str) -> WooError:
    """WordPress's ``rest_invalid_param`` error for one parameter."""
    return WooError(
        "rest_invalid_param",
        f"Invalid parameter(s): {name}",
        400,
        params={name: reason},
        details={name: {"code": "rest_out_of_bounds", "message": reason, "data": None}},
    )


def _int_arg(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.args.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise invalid_param(name, f"{name} is not of type integer.") from None
    if value < low or (high is not None and value > high):
        bounds = f"between {low} (inclusive) and {high} (inclusive)" if high else f">= {low}"
        raise invalid_param(name, f"{name} must be {bounds}")
    return value


def _date_arg(request: Request, name: str) -> str | None:
    """An ISO 8601 parameter as a ``WC_DATE`` string (those compare in time order)."""
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_param(name, "Invalid date.") from None
    return parsed.strftime(WC_DATE)


def _date_field(request: Request) -> str:
    truthy = request.args.get("dates_are_gmt", "").lower() in ("1", "true")
    return "date_modified_gmt" if truthy else "date_modified"


def filter_and_sort(request: Request, items: Iterable[Resource]) -> list[Resource]:
    """Apply ``modified_after``/``modified_before``, ``include`` and ``orderby``/``order``."""
    field = _date_field(request)
    after, before = _date_arg(request, "modified_after"), _date_arg(request, "modified_before")
    include = {int(x) for x in request.args.get("include", "").split(",") if x.strip()}
    if after is None and before is None and not include:
        chosen = list(items)  # a backfill pages through everything: no test per item
    else:
        chosen = [
            item
            for item in items
            if (after is None or item[field] > after)
            and (before is None or item[field] < before)
            and (not include or item["id"] in include)
        ]
    orderby = request.args.get("orderby", "date")
    key_name = {"id": "id", "date": "date_created_gmt", "modified": "date_modified_gmt"}.get(
        orderby, "date_created_gmt"
    )
    descending = request.args.get("order", "desc").lower() != "asc"
    # Every page sorts the whole collection again, as the database behind WooCommerce
    # does: itemgetter keeps that in C, and ids, being unique, need no tiebreaker.
    key = itemgetter("id") if key_name == "id" else itemgetter(key_name, "id")
    chosen.sort(key=key, reverse=descending)
    return chosen


def paginate(request: Request, items: list[Resource]) -> tuple[list[Resource], dict[str, Any]]:
    """One page of ``items`` and the headers WordPress sends with it."""
    per_page = _int_arg(request, "per_page", 10, 1, 100)
    page = _int_arg(request, "page", 1, 1, None)
    total = len(items)
    pages = ceil(total / per_page) if total else 0
    start = (page - 1) * per_page
    headers: dict[str, Any] = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
    # WC_REST_CRUD_Controller::get_items(): add_query_arg( $request->get_query_params(), ... ):
    # every query parameter, authentication ones included, goes into the links.
    base, args = request.base_url, request.args.to_dict()
    links = []
    if page > 1:
        links.append(f'<{base}?{urlencode({**args, "page": min(page - 1, pages)})}>; rel="prev"')
    if pages > page:
        links.append(f'<{base}?{urlencode({**args, "page": page + 1})}>; rel="next"')
    if links:
        headers["Link"] = ", ".join(links)
    return items[start : start + per_page], headers
