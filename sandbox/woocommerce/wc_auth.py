"""``/wc-auth/v1/authorize`` and its approve step: the keys are POSTed to the app.

Source: plugins/woocommerce/includes/class-wc-auth.php and
templates/auth/form-grant-access.php; docs https://woocommerce.github.io/woocommerce-rest-api-docs/#rest-api-keys
- ``make_validation()``: app_name, user_id, return_url, callback_url and scope are
  required; scope is read, write or read_write; ``callback_url`` must be HTTPS ("The
  callback_url needs to be over SSL").
- ``create_keys()`` then ``post_consumer_data()``: JSON ``{key_id, user_id, consumer_key,
  consumer_secret, key_permissions}`` POSTed to callback_url; any answer but 200 (or no
  answer) and ``maybe_delete_key()`` removes the key and the merchant sees an error.
- On success the merchant is redirected to ``return_url`` with ``success=1&user_id=``;
  "Deny" links to ``return_url`` with ``success=0``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import urlencode

import requests
from flask import Blueprint, Response, current_app, request
from markupsafe import escape

from .common import store
from .store import api_hash

bp = Blueprint("wc_auth", __name__, url_prefix="/wc-auth/v1")

SCOPES = ("read", "write", "read_write")
REQUIRED = ("app_name", "scope", "user_id", "return_url", "callback_url")


def _nonce(params: dict[str, str]) -> str:
    salt = current_app.extensions["wc_emulator"].salt
    message = json.dumps([params.get(name, "") for name in REQUIRED]).encode()
    return hmac.new(salt, message, hashlib.sha256).hexdigest()[:10]


def _die(message: str) -> Response:
    """``wp_die()`` with the 'Access denied' title, as WC_Auth answers errors."""
    page = f"<h1>Access denied</h1><p>Error: {escape(message)}.</p>"
    return Response(page, status=401, mimetype="text/html")


def _with_query(url: str, **params: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def _validate(params: dict[str, str]) -> str | None:
    for name in REQUIRED:
        if not params.get(name):
            return f"{name} is missing"
    if params["scope"] not in SCOPES:
        return f"Invalid scope {params['scope']}"
    for name in ("return_url", "callback_url"):
        if not params[name].startswith(("http://", "https://")):
            return f"The {params[name]} is not a valid URL"
    insecure_ok = current_app.extensions["wc_emulator"].insecure_callbacks
    if not params["callback_url"].lower().startswith("https://") and not insecure_ok:
        return "The callback_url needs to be over SSL"
    return None


@bp.get("/authorize")
def authorize() -> Response:
    """The "<app> would like to connect to your store" page, with Approve and Deny."""
    params = {name: request.args.get(name, "") for name in REQUIRED}
    problem = _validate(params)
    if problem:
        return _die(problem)
    granted = _with_query(
        request.host_url.rstrip("/") + "/wc-auth/v1/access_granted",
        **params,
        _wpnonce=_nonce(params),
    )
    denied = _with_query(params["return_url"], success="0", user_id=params["user_id"])
    page = (
        f"<h1>{escape(params['app_name'])} would like to connect to your store</h1>"
        f"<p>Permissions: {escape(params['scope'])}</p>"
        f'<a class="button button-primary wc-auth-approve" href="{escape(granted)}">Approve</a> '
        f'<a class="button wc-auth-deny" href="{escape(denied)}">Deny</a>'
    )
    return Response(page, mimetype="text/html")


@bp.get("/access_granted")
def access_granted() -> Response:
    """Approve: create keys, POST them to callback_url, redirect to return_url."""
    params = {name: request.args.get(name, "") for name in REQUIRED}
    problem = _validate(params)
    if problem:
        return _die(problem)
    if not hmac.compare_digest(request.args.get("_wpnonce", ""), _nonce(params)):
        return _die("Invalid nonce")
    site = store()
    consumer_key, consumer_secret = site.create_api_key(params["scope"])
    key = site.api_keys[api_hash(consumer_key)]
    data = {
        "key_id": key.key_id,
        "user_id": params["user_id"],
        "consumer_key": consumer_key,
        "consumer_secret": consumer_secret,
        "key_permissions": params["scope"],
    }
    try:
        answer = requests.post(
            params["callback_url"],
            data=json.dumps(data),
            timeout=60,
            headers={"Content-Type": "application/json;charset=UTF-8"},
        )
        delivered = answer.status_code == 200
    except requests.RequestException:
        delivered = False
    if not delivered:
        site.delete_key(key.key_id)
        return _die(
            "An error occurred in the request and at the time were unable to send the consumer data"
        )
    target = _with_query(params["return_url"], success="1", user_id=params["user_id"])
    return Response(status=302, headers={"Location": target})
