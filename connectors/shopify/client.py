"""A thin Admin GraphQL client over ``shopify_app.admin_graphql_request`` that paces itself.

Pacing follows https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits: every
answer carries ``extensions.cost.throttleStatus`` (bucket size, points available, restore
rate). Before a request the pacer estimates what the bucket holds now and, if that is less
than the request's last requested cost, waits exactly the time the restore rate needs —
never a blind sleep. A ``THROTTLED`` answer updates the estimate and the request is sent
again after that wait, so throttling delays work and never loses it.

``shopifyapp`` builds Shopify URLs itself and takes an ``httpx.Client``. When
``RESHELF_SHOPIFY_API_URL`` is set (the demo sets it to the emulator on 127.0.0.1), the
connector hands it a client whose transport sends shop requests there and keeps the shop
domain in ``X-Forwarded-Host``; unset, Shopify is reached directly.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from shopify_app.graphql.admin_graphql import admin_graphql_request

from connectors.shopify.consts import API_VERSION
from connectors.shopify.graphql import document
from core.errors import FatalStoreError, RetriableStoreError, StoreAuthError

# What handlers and helpers take to call the Admin API: a document name and its variables.
Api = Callable[[str, dict[str, Any]], dict[str, Any]]
THROTTLED_RETRIES = 5
FIRST_ESTIMATE = 50
ENV_VAR = "RESHELF_SHOPIFY_API_URL"


@dataclass
class Pacer:
    """One shop's bucket as last reported, and the waits it implies."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    maximum: float = 0.0
    available: float | None = None
    restore_rate: float = 1.0
    seen_at: float = 0.0
    waited: float = 0.0
    costs: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def before(self, name: str) -> None:
        """Wait until the bucket should hold what ``name`` requested last time."""
        with self.lock:
            if self.available is None:
                return
            wanted = min(self.costs.get(name, FIRST_ESTIMATE), self.maximum)
            now = self.clock()
            estimate = min(self.maximum, self.available + (now - self.seen_at) * self.restore_rate)
            delay = (wanted - estimate) / self.restore_rate if estimate < wanted else 0.0
        if delay > 0:
            self.waited += delay
            self.sleep(delay)

    def observe(self, name: str, cost: dict[str, Any] | None) -> None:
        """Learn from an answer's ``extensions.cost``."""
        if not cost or not cost.get("throttleStatus"):
            return
        status = cost["throttleStatus"]
        with self.lock:
            self.costs[name] = int(cost.get("requestedQueryCost") or FIRST_ESTIMATE)
            self.maximum = float(status["maximumAvailable"])
            self.available = float(status["currentlyAvailable"])
            self.restore_rate = float(status["restoreRate"]) or 1.0
            self.seen_at = self.clock()


_pacers: dict[str, Pacer] = {}
_pacers_lock = threading.Lock()


def pacer_for(shop_domain: str) -> Pacer:
    """The process-wide pacer of one shop (every client of the shop shares its bucket)."""
    with _pacers_lock:
        return _pacers.setdefault(shop_domain, Pacer())


def _body(raw: str) -> dict[str, Any]:
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


@dataclass
class AdminClient:
    """Sends the connector's named documents to one shop with one access token."""

    shop_domain: str
    access_token: str
    http_client: httpx.Client | None = None
    pacer: Pacer | None = None

    def __post_init__(self) -> None:
        if self.pacer is None:
            self.pacer = pacer_for(self.shop_domain)

    @property
    def handle(self) -> str:
        """The shop's handle, as ``shopifyapp`` wants it (``acme`` for acme.myshopify.com)."""
        return self.shop_domain.removesuffix(".myshopify.com")

    def request(self, name: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run ``graphql/<name>.graphql``; return ``data`` or raise a StoreError."""
        assert self.pacer is not None
        for _ in range(THROTTLED_RETRIES + 1):
            self.pacer.before(name)
            result = admin_graphql_request(
                document(name),
                shop=self.handle,
                access_token=self.access_token,
                api_version=API_VERSION,
                variables=variables,
                http_client=self.http_client,
            )
            body = _body(result.response.body)
            self.pacer.observe(name, (body.get("extensions") or {}).get("cost"))
            if result.ok:
                return result.data or {}
            errors = body.get("errors")
            if isinstance(errors, list) and any(
                (e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors
            ):
                continue
            raise _error(name, result.response.status, result.log.code, errors)
        raise RetriableStoreError(f"{name}: still throttled", retry_after=1.0)


def _error(name: str, status: int, code: str, errors: Any) -> Exception:
    detail = f"{name}: HTTP {status} ({code}) {json.dumps(errors)[:500] if errors else ''}"
    if status == 401:
        return StoreAuthError(detail)
    if status in (0, 429) or status >= 500:
        return RetriableStoreError(detail, retry_after=1.0)
    return FatalStoreError(detail)


def user_errors(payload: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The ``userErrors`` of a mutation payload."""
    return list((payload or {}).get("userErrors") or [])


class ShopRoutingTransport(httpx.BaseTransport):
    """Send ``*.myshopify.com`` requests to ``base_url``; others go where they were addressed."""

    def __init__(self, base_url: str) -> None:
        self.target = httpx.URL(base_url)
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Rewrite shop requests, then send."""
        if request.url.host.endswith(".myshopify.com"):
            headers = httpx.Headers(request.headers)
            headers["X-Forwarded-Host"] = request.url.host
            headers["Host"] = self.target.netloc.decode()
            url = request.url.copy_with(
                scheme=self.target.scheme, host=self.target.host, port=self.target.port
            )
            request = httpx.Request(request.method, url, headers=headers, stream=request.stream)
        return self.inner.handle_request(request)

    def close(self) -> None:
        """Close pooled connections."""
        self.inner.close()


def routed_client(environ: Mapping[str, str]) -> httpx.Client | None:
    """A routed client when ``RESHELF_SHOPIFY_API_URL`` is set, else None (direct to Shopify)."""
    base = environ.get(ENV_VAR)
    return httpx.Client(transport=ShopRoutingTransport(base), timeout=30) if base else None
