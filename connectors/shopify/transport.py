"""Route ``https://SHOP.myshopify.com`` to another base URL, for the demo's local Shopify.

``shopifyapp`` builds Shopify URLs itself and takes an ``httpx.Client``. When
``RESHELF_SHOPIFY_API_URL`` is set (the demo sets it to the emulator on 127.0.0.1), the
connector hands it a client whose transport sends shop requests there and keeps the shop
domain in ``X-Forwarded-Host``; unset, Shopify is reached directly.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

ENV_VAR = "RESHELF_SHOPIFY_API_URL"


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
