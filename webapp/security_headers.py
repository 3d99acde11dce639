"""Security headers through Flask-Talisman, and the content security policy as data.

Every page gets ``CSP`` (below), ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``,
``X-Frame-Options: DENY`` and, on an https site (``RESHELF_PUBLIC_URL``) answering over https,
HSTS. Reshelf never redirects to https itself: the TLS proxy in front of it does, and the
demo and the tests run on plain http.

The policy allows what the templates use: the stylesheet from ``/static``, no inline
script or style ('unsafe-inline' never appears; an inline script would need
``nonce="{{ csp_nonce() }}"``), forms posting back here, and no framing at all.

The embedded Shopify pages are the exception (``EMBEDDED_ENDPOINTS``): Shopify requires
``frame-ancestors https://<shop>.myshopify.com https://admin.shopify.com`` for the
authenticated shop, per response ("Set up iframe protection",
https://shopify.dev/docs/apps/build/security/app-server/set-up-iframe-protection), and
they load App Bridge from Shopify's CDN. Talisman's per-view options are fixed at import,
so it leaves those pages' policy to ``_embedded_policy``, which takes the shop from the
``frame-ancestors`` that shopifyapp set from the verified id token, and frames nothing if
that is not a myshopify host.

Webhook deliveries get no headers: they render nothing, and Talisman's hooks cost about
55 µs a request (measured on a bare Flask route) against the 0.36 ms Reshelf adds to an
acknowledgement (docs/performance.md), the ingest benchmark's path.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, request
from flask_talisman import Talisman
from werkzeug.wrappers import Response

SELF, NONE = "'self'", "'none'"

CSP: dict[str, str] = {
    "default-src": NONE,
    "script-src": SELF,
    "style-src": SELF,
    "img-src": SELF,
    "font-src": SELF,
    "connect-src": SELF,
    "form-action": SELF,
    "base-uri": NONE,
    "frame-ancestors": NONE,
}
# Inline scripts run only with the request's nonce.
NONCE_IN = ["script-src"]

SHOPIFY_ADMIN = "https://admin.shopify.com"
EMBEDDED_CSP: dict[str, str] = {
    **CSP,
    # App Bridge, which Shopify requires embedded apps to load from its CDN.
    "script-src": f"{SELF} https://cdn.shopify.com",
}
EMBEDDED_ENDPOINTS = frozenset({"shopify_install.app_home", "shopify_install.patch_id_token"})

# The WooCommerce connect form sends the browser on to the store's approve page, and
# browsers apply form-action to the redirect: that page leaves form-action unset.
CSP_WITHOUT = {"woocommerce_install.connect_page": ("form-action",)}

REFERRER_POLICY = "strict-origin-when-cross-origin"
# The first source of the frame-ancestors shopifyapp wrote, when it is a shop's own host.
_SHOP_HOST = r"[a-z0-9][a-z0-9-]*\.myshopify\.com"
_MYSHOPIFY = re.compile(rf"frame-ancestors https://({_SHOP_HOST})(?=[\s;]|$)")


def _is_webhook() -> bool:
    """Store deliveries, which render nothing and are timed to the microsecond."""
    return request.path.startswith("/webhooks/")


class _Talisman(Talisman):  # type: ignore[misc]
    """Talisman, skipping webhook deliveries (it has no exemption of its own)."""

    def _force_https(self) -> Response | None:
        """Talisman's https check, except on webhooks."""
        return None if _is_webhook() else super()._force_https()

    def _make_nonce(self) -> None:
        """Talisman's per-request nonce, except on webhooks."""
        if not _is_webhook():
            super()._make_nonce()

    def _set_response_headers(self, response: Response) -> Response:
        """Talisman's headers, except on webhooks."""
        return response if _is_webhook() else super()._set_response_headers(response)


talisman = _Talisman()


def policy_text(policy: dict[str, str]) -> str:
    """A policy as its header value."""
    return "; ".join(f"{name} {value}" for name, value in policy.items())


def init_security_headers(app: Flask, public_url: str) -> None:
    """Bind Talisman to ``app`` with Reshelf's policy; HSTS only for an https site."""
    talisman.init_app(
        app,
        force_https=False,
        frame_options="DENY",
        content_security_policy=CSP,
        content_security_policy_nonce_in=NONCE_IN,
        referrer_policy=REFERRER_POLICY,
        strict_transport_security=public_url.startswith("https://"),
        # The app factory sets the cookie flags from the public URL; Talisman would force them.
        session_cookie_secure=False,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    )
    for endpoint, view in app.view_functions.items():
        options: dict[str, Any] | None = None
        if endpoint in EMBEDDED_ENDPOINTS:
            options = {"frame_options": None, "content_security_policy": None}
        elif endpoint in CSP_WITHOUT:
            kept = {k: v for k, v in CSP.items() if k not in CSP_WITHOUT[endpoint]}
            options = {"content_security_policy": kept}
        if options is not None:
            talisman(**options)(view)  # Talisman's per-view decorator, applied by endpoint
    # On those pages' blueprint only, so no other request pays for the check.
    for blueprint in {endpoint.split(".")[0] for endpoint in EMBEDDED_ENDPOINTS}:
        app.after_request_funcs.setdefault(blueprint, []).append(_embedded_policy)


def _embedded_policy(response: Response) -> Response:
    """On an embedded Shopify page, the policy with the verified shop's admin as ancestor."""
    if request.endpoint not in EMBEDDED_ENDPOINTS:
        return response
    found = _MYSHOPIFY.search(response.headers.get("Content-Security-Policy", ""))
    ancestors = f"https://{found.group(1)} {SHOPIFY_ADMIN}" if found else NONE
    response.headers["Content-Security-Policy"] = policy_text(
        {**EMBEDDED_CSP, "frame-ancestors": ancestors}
    )
    return response
