"""What the store answers becomes core's retriable / fatal / reconnect errors."""

from __future__ import annotations

import time

import pytest
from flask import Flask

from connectors.woocommerce.client import WooClient
from connectors.woocommerce.errors import WooAuthError, WooFatalError, WooRetriableError
from core.errors import FatalStoreError, RetriableStoreError, StoreAuthError
from tests.support.live import serve_wsgi


def test_refused_keys_mean_reconnect(woo):
    client = WooClient(woo[1], "ck_revoked", "cs_revoked", timeout=5)
    with pytest.raises(WooAuthError) as caught:
        client.get("orders")
    assert isinstance(caught.value, StoreAuthError)
    assert caught.value.status == 401
    assert caught.value.code == "woocommerce_rest_authentication_error"


def test_validation_errors_are_fatal(woo_client):
    with pytest.raises(WooFatalError) as caught:
        woo_client.get("orders/424242")
    assert isinstance(caught.value, FatalStoreError)
    assert not isinstance(caught.value, StoreAuthError)
    assert caught.value.code == "woocommerce_rest_shop_order_invalid_id"


@pytest.fixture
def flaky_store():
    """A store that is overloaded: 429 with Retry-After, 503, and a slow answer."""
    app = Flask("flaky")
    app.add_url_rule(
        "/wp-json/wc/v3/busy", "busy", lambda: ({"code": "too_many"}, 429, {"Retry-After": "7"})
    )
    app.add_url_rule("/wp-json/wc/v3/down", "down", lambda: ("<h1>Bad gateway</h1>", 502))

    def slow():
        time.sleep(2)
        return "{}", 200

    app.add_url_rule("/wp-json/wc/v3/slow", "slow", slow)
    with serve_wsgi(app) as url:
        yield url


def test_throttling_outages_and_timeouts_are_retriable(flaky_store):
    client = WooClient(flaky_store, "ck", "cs", timeout=0.5)
    with pytest.raises(WooRetriableError) as busy:
        client.get("busy")
    assert busy.value.retry_after == 7
    with pytest.raises(RetriableStoreError):
        client.get("down")
    with pytest.raises(RetriableStoreError, match="did not answer"):
        client.get("slow")
