"""/wc-auth/v1/authorize: approve posts the keys to the callback; a refusal deletes them."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests
from flask import Flask, request
from woocommerce import API

from tests.support.live import serve_wsgi


class App:
    """The connecting application's callback endpoint."""

    def __init__(self) -> None:
        self.posted: list[dict[str, Any]] = []
        self.status = 200
        self.flask = Flask("callback")
        self.flask.add_url_rule("/callback", "callback", self.callback, methods=["POST"])

    def callback(self) -> Any:
        self.posted.append(json.loads(request.get_data()))
        return "", self.status


@pytest.fixture
def app_server() -> Iterator[tuple[App, str]]:
    found = App()
    with serve_wsgi(found.flask) as url:
        yield found, url


def _authorize(wc_url: str, app_url: str, **overrides: str) -> requests.Response:
    params = {
        "app_name": "Reshelf",
        "scope": "read_write",
        "user_id": "token-1",
        "return_url": f"{app_url}/done",
        "callback_url": f"{app_url}/callback",
        **overrides,
    }
    return requests.get(f"{wc_url}/wc-auth/v1/authorize?{urlencode(params)}", timeout=5)


def _approve_link(page: requests.Response) -> str:
    link = re.search(r'class="[^"]*wc-auth-approve"[^>]*href="([^"]+)"', page.text)
    assert link, page.text
    return html.unescape(link.group(1))


def test_approve_posts_keys_that_work(wc_url, app_server):
    app, app_url = app_server
    page = _authorize(wc_url, app_url)
    done = requests.get(_approve_link(page), allow_redirects=False, timeout=10)
    assert done.status_code == 302
    assert parse_qs(urlparse(done.headers["Location"]).query) == {
        "success": ["1"],
        "user_id": ["token-1"],
    }
    keys = app.posted[0]
    assert set(keys) == {"key_id", "user_id", "consumer_key", "consumer_secret", "key_permissions"}
    assert keys["user_id"] == "token-1"
    assert keys["key_permissions"] == "read_write"
    api = API(wc_url, keys["consumer_key"], keys["consumer_secret"], timeout=5)
    assert api.get("orders").status_code == 200


def test_callback_not_answering_200_deletes_the_key(wc_url, app_server):
    app, app_url = app_server
    app.status = 201
    done = requests.get(
        _approve_link(_authorize(wc_url, app_url)), allow_redirects=False, timeout=10
    )
    assert done.status_code == 401
    keys = app.posted[0]
    api = API(wc_url, keys["consumer_key"], keys["consumer_secret"], timeout=5)
    assert api.get("orders").json()["message"] == "Consumer key is invalid."


def test_bad_requests_are_refused(wc_url, app_server):
    _, app_url = app_server
    assert _authorize(wc_url, app_url, scope="admin").status_code == 401
    assert (
        "Invalid nonce"
        in requests.get(
            _approve_link(_authorize(wc_url, app_url)).replace("token-1", "token-2"), timeout=5
        ).text
    )


def test_callback_must_be_https_on_a_real_store(app_server):
    from sandbox.woocommerce import create_emulator

    _, app_url = app_server
    strict = create_emulator()
    with serve_wsgi(strict) as url:
        refused = _authorize(url, app_url)
    strict.extensions["wc_emulator"].dispatcher.stop()
    assert refused.status_code == 401
    assert "The callback_url needs to be over SSL" in refused.text
