"""Authentication as WC_REST_Authentication does it: OAuth 1.0a over HTTP, basic over HTTPS."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from werkzeug.serving import make_server
from woocommerce import API
from woocommerce.oauth import OAuth


def test_oauth_signed_by_the_package_is_accepted(wc_api):
    assert wc_api.get("products").status_code == 200


def test_basic_auth_over_plain_http_is_refused(wc_url, wc_keys):
    answer = requests.get(f"{wc_url}/wp-json/wc/v3/products", auth=wc_keys, timeout=5)
    assert answer.status_code == 401
    assert answer.json()["code"] == "woocommerce_rest_cannot_view"


def test_wrong_secret_fails_the_signature(wc_url, wc_keys):
    answer = API(wc_url, wc_keys[0], "cs_not_the_secret", timeout=5).get("products")
    assert answer.status_code == 401
    assert answer.json()["message"] == "Invalid signature - provided signature does not match."


def test_unknown_key(wc_url):
    answer = API(wc_url, "ck_unknown", "cs_whatever", timeout=5).get("products")
    assert answer.json() == {
        "code": "woocommerce_rest_authentication_error",
        "message": "Consumer key is invalid.",
        "data": {"status": 401},
    }


def _signed_url(wc_url, keys, timestamp):
    return OAuth(
        f"{wc_url}/wp-json/wc/v3/products",
        *keys,
        version="wc/v3",
        method="GET",
        oauth_timestamp=timestamp,
    ).get_oauth_url()


def test_replayed_nonce_and_stale_timestamp(wc_url, wc_keys):
    url = _signed_url(wc_url, wc_keys, int(time.time()))
    assert requests.get(url, timeout=5).status_code == 200
    replay = requests.get(url, timeout=5)
    assert replay.json()["message"] == "Invalid nonce - nonce has already been used."
    stale = requests.get(_signed_url(wc_url, wc_keys, int(time.time()) - 16 * 60), timeout=5)
    assert stale.json()["message"] == "Invalid timestamp."


def test_tampered_query_is_refused(wc_url, wc_keys):
    url = _signed_url(wc_url, wc_keys, int(time.time()))
    assert requests.get(url + "&per_page=5", timeout=5).status_code == 401


def test_read_key_cannot_write(wc_url, wc_emulator):
    read_only = API(wc_url, *wc_emulator.store.create_api_key("read"), timeout=5)
    assert read_only.get("products").status_code == 200
    answer = read_only.post("products", {"name": "x"})
    assert answer.status_code == 401
    assert answer.json()["message"] == "The API key provided does not have write permissions."


@pytest.fixture
def https_url(wc_app):
    """The same store over HTTPS (a self-signed certificate), where is_ssl() is true."""
    server = make_server("127.0.0.1", 0, wc_app, threaded=True, ssl_context="adhoc")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_basic_auth_over_https_is_accepted(https_url, wc_keys):
    api = API(https_url, *wc_keys, verify_ssl=False, timeout=10)
    answer = api.get("products")
    assert answer.status_code == 200
    assert answer.request.headers["Authorization"].startswith("Basic ")  # not OAuth
    bad = API(https_url, wc_keys[0], "cs_nope", verify_ssl=False, timeout=10).get("products")
    assert bad.json()["message"] == "Consumer secret is invalid."
