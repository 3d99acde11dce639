"""Shopify-managed installation: the embedded app home verifies its id token and installs.

https://shopify.dev/docs/apps/build/authentication-authorization/app-installation: Shopify
installs the app with the scopes of ``shopify.app.toml`` and opens the app home with an id
token; the app verifies it (``shopifyapp``), exchanges it for an expiring offline token,
and on first install creates the shop and queues the backfill. Webhook subscriptions come
from the toml, so nothing is registered by hand.
"""

from __future__ import annotations

import logging
import os

from flask import Blueprint, Response, request, url_for
from markupsafe import escape
from shopify_app import RequestInput, ShopifyApp

from connectors.shopify.client import routed_client
from connectors.shopify.connector import public_app
from connectors.shopify.install import AppNotConfigured, find_shop, install, needs_refresh
from core.enums import ShopStatus
from core.errors import StoreError
from core.models import Shop
from core.services import ensure_default_policy
from webapp.clock import get_clock
from webapp.db import get_session
from webapp.jobs import get_dispatcher

bp = Blueprint("shopify_install", __name__)
log = logging.getLogger(__name__)
PATCH_PATH = "/shopify/patch-id-token"
NOT_CONFIGURED = (
    "The Shopify app is not configured on this Reshelf: its operator must set "
    "SHOPIFY_API_KEY and SHOPIFY_API_SECRET. Until then it accepts no Shopify sign-in."
)
EXCHANGE_FAILED = (
    "Shopify did not let Reshelf connect to {shop} just now. "
    "Open Reshelf again from your Shopify admin to try again."
)


def _request_input() -> RequestInput:
    return {
        "method": request.method,
        "headers": dict(request.headers),
        "url": request.url,
        "body": request.get_data(as_text=True),
    }


def _answer(status: int, body: str, headers: dict[str, str]) -> Response:
    return Response(body, status=status, headers=headers)


def _page(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    """A short page that says what went wrong, with the status that goes with it."""
    body = f"<!doctype html><title>Reshelf</title><p>{escape(message)}</p>"
    return Response(body, status=status, headers=headers or {})


@bp.errorhandler(AppNotConfigured)
def app_is_off(_error: AppNotConfigured) -> Response:
    """Without the app's secret the Shopify pages are off.

    503, not 404: the page exists and works once the operator configures the app, and a
    monitor should see the server as not ready, not the address as wrong.
    """
    return _page(NOT_CONFIGURED, 503)


@bp.get("/shopify")
def app_home() -> Response:
    """The embedded app home: verify the id token, install the shop, link to the desk."""
    app: ShopifyApp = public_app()
    verified = app.verify_app_home_req(_request_input(), app_home_patch_id_token_path=PATCH_PATH)
    if not verified.ok or verified.id_token is None:
        return _answer(verified.response.status, verified.response.body, verified.response.headers)
    session, clock = get_session(), get_clock()
    shop = find_shop(session, str(verified.id_token.claims["dest"]).removeprefix("https://"))
    created = False
    # Exchange only when there is no usable offline token: every page load carries an id token.
    if shop is None or shop.status != ShopStatus.ACTIVE or needs_refresh(shop, clock.now()):
        try:
            shop, created = install(
                session, app, verified.id_token, clock, routed_client(os.environ)
            )
        except StoreError as exc:
            session.rollback()
            domain = str(verified.id_token.claims["dest"]).removeprefix("https://")
            log.warning("installing %s failed: %s", domain, exc)
            return _page(EXCHANGE_FAILED.format(shop=domain), 502, verified.response.headers)
        session.commit()
    if created:
        ensure_default_policy(session, shop.id, clock)
        session.commit()
        enqueue_backfill(shop)
    return Response(
        f"<!doctype html><title>Reshelf</title><p>Reshelf is connected to {shop.domain}.</p>"
        f'<p><a href="{url_for("admin.list_returns")}" target="_top">Open the returns desk</a></p>',
        headers=verified.response.headers,
    )


@bp.get(PATCH_PATH)
def patch_id_token() -> Response:
    """The page App Bridge uses to hand a fresh id token to a document request."""
    result = public_app().app_home_patch_id_token(_request_input())
    return _answer(result.response.status, result.response.body, result.response.headers)


def enqueue_backfill(shop: Shop) -> None:
    """Queue the shop's backfill (``worker.backfills``); without RQ, the reconcile job heals."""
    get_dispatcher().dispatch("backfill", shop.id)
