"""A thin REST client over the ``woocommerce`` package (wc-api-python).

The package signs requests itself: basic auth over HTTPS, OAuth 1.0a over plain HTTP
(what WooCommerce accepts on each). This wrapper adds what Reshelf needs around it:
errors mapped to core's tree, JSON decoding, and page-by-page listing that follows
``X-WP-TotalPages``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests
from woocommerce import API

from connectors.woocommerce.consts import API_VERSION, PER_PAGE, PLUGIN_NAMESPACE, TIMEOUT
from connectors.woocommerce.errors import error_for, transport_error


@dataclass(frozen=True)
class Page:
    """One page of a collection and how many pages there are."""

    items: list[dict[str, Any]]
    total_pages: int
    total: int


class WooClient:
    """REST v3 (and the plugin's namespace) of one store, with one pair of keys."""

    def __init__(
        self, url: str, consumer_key: str, consumer_secret: str, timeout: float = TIMEOUT
    ) -> None:
        self.url = url.rstrip("/")
        self._rest = API(
            self.url, consumer_key, consumer_secret, version=API_VERSION, timeout=timeout
        )
        self._plugin = API(
            self.url, consumer_key, consumer_secret, version=PLUGIN_NAMESPACE, timeout=timeout
        )
        self.timeout = timeout

    def _call(
        self,
        api: Any,
        method: str,
        endpoint: str,
        data: Any = None,
        params: dict[str, Any] | None = None,
    ) -> requests.Response:
        # Redirects are not followed: the store's address was checked before the call, and
        # a redirect could send the request (with its keys) to an address that was not.
        try:
            if method in ("post", "put"):
                response: requests.Response = getattr(api, method)(
                    endpoint, data, params=params, allow_redirects=False
                )
            else:
                response = getattr(api, method)(endpoint, params=params, allow_redirects=False)
        except requests.RequestException as exc:
            raise transport_error(exc) from exc
        if response.status_code >= 300:
            raise error_for(response)
        return response

    def get(self, endpoint: str, **params: Any) -> Any:
        """GET a resource or a collection page; returns the decoded JSON."""
        return self._call(self._rest, "get", endpoint, params=params).json()

    def post(self, endpoint: str, data: dict[str, Any]) -> Any:
        """POST (create)."""
        return self._call(self._rest, "post", endpoint, data).json()

    def put(self, endpoint: str, data: dict[str, Any]) -> Any:
        """PUT (update)."""
        return self._call(self._rest, "put", endpoint, data).json()

    def options(self, endpoint: str) -> Any:
        """OPTIONS: the route's description (methods and the arguments they accept)."""
        return self._call(self._rest, "options", endpoint).json()

    def delete(self, endpoint: str, **params: Any) -> Any:
        """DELETE."""
        return self._call(self._rest, "delete", endpoint, params=params).json()

    def page(self, endpoint: str, page: int, **params: Any) -> Page:
        """One page of a collection, with the totals from X-WP-Total / X-WP-TotalPages."""
        response = self._call(
            self._rest, "get", endpoint, params={**params, "page": page, "per_page": PER_PAGE}
        )
        return Page(
            items=response.json(),
            total_pages=int(response.headers.get("X-WP-TotalPages", "0")),
            total=int(response.headers.get("X-WP-Total", "0")),
        )

    def pages(self, endpoint: str, start: int = 1, **params: Any) -> Iterator[tuple[int, Page]]:
        """Every page from ``start`` on, stopping after the last one the store announced."""
        number = start
        while True:
            page = self.page(endpoint, number, **params)
            yield number, page
            if number >= page.total_pages or not page.items:
                return
            number += 1

    def plugin_post(self, endpoint: str, data: dict[str, Any]) -> Any:
        """POST to the Reshelf plugin's namespace."""
        return self._call(self._plugin, "post", endpoint, data).json()

    def plugin_get(self, endpoint: str) -> Any:
        """GET from the Reshelf plugin's namespace."""
        return self._call(self._plugin, "get", endpoint).json()

    def namespaces(self) -> list[str]:
        """The REST namespaces the site serves (public index), to detect the plugin."""
        try:
            response = requests.get(
                f"{self.url}/wp-json/", timeout=self.timeout, allow_redirects=False
            )
        except requests.RequestException as exc:
            raise transport_error(exc) from exc
        if response.status_code >= 300:
            raise error_for(response)
        data = response.json()
        return [str(n) for n in data.get("namespaces", [])] if isinstance(data, dict) else []

    def has_plugin(self) -> bool:
        """Whether the Reshelf Returns plugin is active on the store."""
        return PLUGIN_NAMESPACE in self.namespaces()
