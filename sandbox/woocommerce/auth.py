"""REST authentication as ``WC_REST_Authentication`` does it.

Source: plugins/woocommerce/includes/class-wc-rest-authentication.php.
- ``authenticate()``: basic auth (header or ``consumer_key``/``consumer_secret`` query
  parameters) only when ``is_ssl()``; otherwise OAuth 1.0a one-legged, signed with
  HMAC-SHA1 or HMAC-SHA256 and the secret ``consumer_secret . '&'``.
- ``check_oauth_timestamp_and_nonce()``: a 15 minute window; used nonces are remembered
  per key, indexed by timestamp.
- ``check_permissions()``: a read key may only GET, a write key may not GET.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

from flask import Request

from .store import ApiKey, Store, WooError, api_hash

AUTH_ERROR = "woocommerce_rest_authentication_error"
OAUTH_REQUIRED = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)
NONCE_WINDOW = 15 * 60


def _error(message: str) -> WooError:
    return WooError(AUTH_ERROR, message, 401)


def rfc3986(value: str) -> str:
    """``wc_rest_urlencode_rfc3986()``: rawurlencode, with ``+`` and ``~`` put back."""
    # Source: includes/wc-rest-functions.php (wc_rest_urlencode_rfc3986).
    return quote(value, safe="-_.~").replace("+", " ")


def oauth_signature(method: str, base_url: str, params: dict[str, str], secret: str) -> str:
    """The signature WooCommerce computes in ``check_oauth_signature()``."""
    params = {k: v for k, v in params.items() if k != "oauth_signature"}
    hash_name = params.get("oauth_signature_method", "").replace("HMAC-", "").lower()
    normalized = {rfc3986(k): rfc3986(v) for k, v in params.items()}
    # uksort($params, 'strcmp') after normalisation, then join_with_equals_sign().
    pairs = [rfc3986(f"{k}={normalized[k]}") for k in sorted(normalized)]
    string_to_sign = f"{method.upper()}&{rfc3986(base_url)}&{'%26'.join(pairs)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), getattr(hashlib, hash_name))
    return base64.b64encode(digest.digest()).decode()


def _basic(request: Request, store: Store) -> ApiKey | None:
    """``perform_basic_authentication()``: header credentials, else query parameters."""
    if request.authorization and request.authorization.username:
        ck, cs = request.authorization.username, request.authorization.password or ""
    elif "consumer_key" in request.args and "consumer_secret" in request.args:
        ck, cs = request.args["consumer_key"], request.args["consumer_secret"]
    else:
        return None
    key = store.api_keys.get(api_hash(ck))
    if key is None:
        raise _error("Consumer key is invalid.")
    if not hmac.compare_digest(key.consumer_secret, cs):
        raise _error("Consumer secret is invalid.")
    return key


def _oauth(request: Request, store: Store, now: int) -> ApiKey | None:
    """``perform_oauth_authentication()`` over plain HTTP."""
    # get_oauth_parameters(): array_merge($_GET, $_POST); nothing to do without oauth_*.
    params = {**request.args.to_dict(), **request.form.to_dict()}
    if not any(name.startswith("oauth_") for name in params):
        return None
    missing = [name for name in OAUTH_REQUIRED if not params.get(name)]
    if missing:
        raise _error(f"Missing OAuth parameter {missing[0]}")
    key = store.api_keys.get(api_hash(params["oauth_consumer_key"]))
    if key is None:
        raise _error("Consumer key is invalid.")
    if params["oauth_signature_method"] not in ("HMAC-SHA1", "HMAC-SHA256"):
        raise _error("Invalid signature - signature method is invalid.")
    # get_home_url(null, $request_path, is_ssl() ? 'https' : 'http'): no query string.
    base_url = request.host_url.rstrip("/") + request.path
    expected = oauth_signature(request.method, base_url, params, key.consumer_secret)
    given = params["oauth_signature"].replace(" ", "+")
    if not hmac.compare_digest(expected, given):
        raise _error("Invalid signature - provided signature does not match.")
    timestamp = int(params["oauth_timestamp"])
    if timestamp < now - NONCE_WINDOW or timestamp > now + NONCE_WINDOW:
        raise _error("Invalid timestamp.")
    with store.lock:
        if params["oauth_nonce"] in key.nonces.values():
            raise _error("Invalid nonce - nonce has already been used.")
        key.nonces[timestamp] = params["oauth_nonce"]
        for stamp in [t for t in key.nonces if t < now - NONCE_WINDOW]:
            del key.nonces[stamp]
    return key


def authenticate(request: Request, store: Store, now: int) -> ApiKey | None:
    """Who is calling: an API key, or None (the route then refuses with 401)."""
    key = _basic(request, store) if request.scheme == "https" else None
    if key is None:
        key = _oauth(request, store, now)
    if key is not None:
        _check_permissions(key, request.method)
    return key


def _check_permissions(key: ApiKey, method: str) -> None:
    """``check_permissions()``: the key's scope must allow the HTTP method."""
    if key.permissions == "read" and method not in ("GET", "HEAD", "OPTIONS"):
        raise _error("The API key provided does not have write permissions.")
    if key.permissions == "write" and method in ("GET", "HEAD"):
        raise _error("The API key provided does not have read permissions.")
