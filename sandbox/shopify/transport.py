"""An ``httpx.Client`` that sends ``https://SHOP.myshopify.com/...`` to the emulator.

``shopifyapp`` builds Shopify URLs itself and accepts an injected ``httpx.Client``; this
client's transport rewrites those requests to the emulator on 127.0.0.1 over real HTTP and
keeps the shop's domain in ``X-Forwarded-Host``, so the same code path runs in production,
the demo, the tests and the benchmarks.
"""

from __future__ import annotations

import httpx

SHOPIFY_SUFFIX = ".myshopify.com"


class EmulatorTransport(httpx.BaseTransport):
    """Rewrite myshopify.com requests to ``base_url``; pass every other request through."""

    def __init__(self, base_url: str) -> None:
        self.target = httpx.URL(base_url)
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to the emulator when it is addressed to a shop."""
        host = request.url.host
        if host.endswith(SHOPIFY_SUFFIX):
            headers = httpx.Headers(request.headers)
            headers["X-Forwarded-Host"] = host
            headers["Host"] = self.target.netloc.decode()
            url = request.url.copy_with(
                scheme=self.target.scheme, host=self.target.host, port=self.target.port
            )
            request = httpx.Request(
                request.method,
                url,
                headers=headers,
                stream=request.stream,
                extensions=request.extensions,
            )
        return self.inner.handle_request(request)

    def close(self) -> None:
        """Close the pooled connections."""
        self.inner.close()


def emulator_client(base_url: str, timeout: float = 30.0) -> httpx.Client:
    """A client for ``shopifyapp`` whose Shopify requests reach the emulator at ``base_url``."""
    return httpx.Client(transport=EmulatorTransport(base_url), timeout=timeout)
