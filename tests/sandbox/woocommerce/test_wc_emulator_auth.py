"""Authentication as WC_REST_Authentication does it: OAuth 1.0a over HTTP, basic over HTTPS."""

from __future__ import annotations

import time

import requests
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


def test_basic_auth_over_https_is_accepted(wc_app, wc_keys):
    # WordPress's is_ssl() looks at the request itself; the test client can say HTTPS.
    client = wc_app.test_client()
    ok = client.get("/wp-json/wc/v3/products", base_url="https://shop.example", auth=wc_keys)
    assert ok.status_code == 200
    bad = client.get(
        "/wp-json/wc/v3/products", base_url="https://shop.example", auth=(wc_keys[0], "nope")
    )
    assert bad.get_json()["message"] == "Consumer secret is invalid."
