"""What every REST route of the emulator shares: the store, the caller, bodies, replies."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from flask import Response, current_app, g, jsonify, request

from .auth import authenticate
from .listing import filter_and_sort, paginate
from .store import Resource, Store, WooError

# Source: each WC_REST_*_Controller's *_permissions_check() answers
# rest_authorization_required_code() (401 when nobody is logged in) with these codes.
_REFUSALS = {
    "GET": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "POST": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "PUT": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "DELETE": (
        "woocommerce_rest_cannot_delete",
        "Sorry, you are not allowed to delete this resource.",
    ),
}


def store() -> Store:
    """The emulated site behind this app."""
    found: Store = current_app.extensions["wc_emulator"].store
    return found


def require_key() -> None:
    """A ``before_request`` hook: authenticate as WooCommerce does, or refuse with 401."""
    key = authenticate(request, store(), int(time.time()))
    if key is None:
        method = "PUT" if request.method == "PATCH" else request.method
        code, message = _REFUSALS.get(method, _REFUSALS["GET"])
        raise WooError(code, message, 401)
    g.api_key = key


def body() -> dict[str, Any]:
    """The JSON request body (WP_REST_Request::get_json_params), or an empty dict."""
    data = request.get_json(silent=True)
    if data is None and request.form:
        return request.form.to_dict()
    return data if isinstance(data, dict) else {}


def reply(data: Any, status: int = 200, headers: dict[str, Any] | None = None) -> Response:
    """A JSON response as WP_REST_Server sends it, serialised while no request writes."""
    with store().lock:
        response = jsonify(data)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def listing(items: Iterable[Resource]) -> Response:
    """Filter, order and page a collection, with X-WP-Total / X-WP-TotalPages / Link."""
    with store().lock:
        page, headers = paginate(request, filter_and_sort(request, items))
        return reply(page, headers=headers)


def error_response(error: WooError) -> Response:
    """``{"code", "message", "data": {"status", ...}}``: WP_REST_Server::error_to_response."""
    return reply(
        {
            "code": error.code,
            "message": error.message,
            "data": {"status": error.status, **error.data},
        },
        status=error.status,
    )


def not_found(kind: str = "resource") -> WooError:
    """The ``woocommerce_rest_<kind>_invalid_id`` error WooCommerce answers for unknown ids."""
    return WooError(f"woocommerce_rest_{kind}_invalid_id", "Invalid ID.", 404)
