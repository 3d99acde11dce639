"""WooCommerce's answers mapped onto core's error tree.

    core.errors.StoreError
    ├── RetriableStoreError ── WooRetriableError   429, 5xx, timeouts, connection errors
    └── FatalStoreError ────── WooFatalError       other 4xx (validation, unknown ids)
        └── StoreAuthError ─── WooAuthError        401/403: the shop must reconnect

Each carries WooCommerce's ``code`` (e.g. ``woocommerce_rest_authentication_error``)
and HTTP status, so the admin can show what the store said.
"""

from __future__ import annotations

from typing import Any

import requests

from core.errors import FatalStoreError, RetriableStoreError, StoreAuthError


class WooCommerceError:
    """Mixin: what the store answered."""

    status: int | None = None
    code: str = ""


class WooRetriableError(RetriableStoreError, WooCommerceError):
    """The store is busy, down or slow; try again later."""


class WooFatalError(FatalStoreError, WooCommerceError):
    """The store refused the request; retrying the same request will not help."""


class WooAuthError(StoreAuthError, WooCommerceError):
    """The keys were refused (revoked, wrong permissions): the shop must reconnect."""


def _describe(response: requests.Response) -> tuple[str, str]:
    try:
        data: Any = response.json()
    except ValueError:
        return "", response.text[:200]
    if isinstance(data, dict):
        return str(data.get("code", "")), str(data.get("message", ""))
    return "", str(data)[:200]


def error_for(response: requests.Response) -> WooRetriableError | WooFatalError | WooAuthError:
    """The error a non-2xx answer stands for."""
    code, message = _describe(response)
    text = f"WooCommerce answered {response.status_code} {code}: {message}".strip()
    error: WooRetriableError | WooFatalError | WooAuthError
    if response.status_code in (401, 403):
        error = WooAuthError(text)
    elif response.status_code == 429 or response.status_code >= 500:
        retry_after = response.headers.get("Retry-After")
        delay = float(retry_after) if retry_after and retry_after.isdigit() else None
        error = WooRetriableError(text, retry_after=delay)
    else:
        error = WooFatalError(text)
    error.status, error.code = response.status_code, code
    return error


def transport_error(exc: requests.RequestException) -> WooRetriableError:
    """A timeout or a connection that failed: the store may be back soon."""
    return WooRetriableError(f"WooCommerce did not answer: {type(exc).__name__}: {exc}")
