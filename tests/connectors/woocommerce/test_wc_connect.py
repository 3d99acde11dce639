"""Connect tokens and the key callback: only our recent tokens and read_write keys pass."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from connectors.woocommerce import connect

SECRET = "app-secret"


def _payload(token, permissions="read_write"):
    return {
        "key_id": 3,
        "user_id": token,
        "consumer_key": "ck_x",
        "consumer_secret": "cs_y",
        "key_permissions": permissions,
    }


def test_authorize_url_carries_a_token_for_the_store(clock):
    url = connect.authorize_url(
        "https://shop.example/",
        secret=SECRET,
        return_url="https://app/return",
        callback_url="https://app/cb",
        now=clock.now(),
    )
    parsed = urlparse(url)
    assert parsed.netloc == "shop.example"
    assert parsed.path == "/wc-auth/v1/authorize"
    query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    assert query["scope"] == "read_write"
    assert query["callback_url"] == "https://app/cb"
    keys = connect.accept_callback(SECRET, _payload(query["user_id"]), clock.now())
    assert keys.store_url == "https://shop.example"
    assert keys.consumer_key == "ck_x"


def test_expired_token_is_refused(clock):
    token = connect.make_connect_token(SECRET, "https://shop.example", clock.now())
    later = clock.now() + timedelta(seconds=connect.CONNECT_TOKEN_TTL + 1)
    with pytest.raises(connect.ConnectRefused, match="expired"):
        connect.accept_callback(SECRET, _payload(token), later)


def test_forged_token_is_refused(clock):
    token = connect.make_connect_token("someone-else", "https://shop.example", clock.now())
    with pytest.raises(connect.ConnectRefused, match="not one of ours"):
        connect.accept_callback(SECRET, _payload(token), clock.now())
    with pytest.raises(connect.ConnectRefused):
        connect.accept_callback(SECRET, _payload("42"), clock.now())


def test_read_only_keys_are_refused(clock):
    token = connect.make_connect_token(SECRET, "https://shop.example", clock.now())
    with pytest.raises(connect.ConnectRefused, match="read_write"):
        connect.accept_callback(SECRET, _payload(token, "read"), clock.now())
