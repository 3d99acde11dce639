"""Connecting a WooCommerce store, and the shopper's way in from the plugin's button.

wc-auth: ``/install/woocommerce/connect?store=URL`` (an owner, or someone with no shop
yet) → the store's approve page → the store POSTs the keys to
``/install/woocommerce/callback`` (which must answer exactly 200, or the store deletes
them; Reshelf keeps them on the connect attempt) → the merchant comes back to
``/install/woocommerce/return`` in the same session, where Reshelf checks and stores the
keys, subscribes its webhooks and queues the backfill. Every store address is checked
(``store_address``) before Reshelf calls it. ``/install/woocommerce/`` offers that,
and manual key entry as the fallback. ``/returns/<shop key>/from-store`` takes the
plugin's signed link and opens the order in the portal.
"""

from __future__ import annotations

import logging
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template_string,
    request,
    url_for,
)
from flask import session as flask_session
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from connectors.woocommerce import connect, install, portal_link
from connectors.woocommerce.store_address import check_store_address
from core.enums import Platform, Role, ShopStatus
from core.errors import DomainError, StoreError
from core.models import Membership, Shop
from webapp.clock import get_clock
from webapp.db import get_session
from webapp.extensions import csrf, login_manager
from webapp.jobs import get_dispatcher
from webapp.limits import connect_start

# Full paths: the connect flow lives under /install/woocommerce, and the plugin's signed
# return links land in the portal's space.
bp = Blueprint("woocommerce_install", __name__)
log = logging.getLogger(__name__)

PAGE = """{% extends "admin/base.html" %}
{% block title %}Connect WooCommerce{% endblock %}
{% block content %}
<h1>Connect a WooCommerce store</h1>
{% if problem %}<p class="flash flash-error" role="alert">{{ problem }}</p>{% endif %}
<form method="get" action="{{ url_for('woocommerce_install.start') }}">
  <label for="store">Store address</label>
  <input id="store" name="store" type="url" required placeholder="https://shop.example">
  <button type="submit">Connect WooCommerce store</button>
</form>
<h2>Or enter REST API keys</h2>
<p>In WooCommerce › Settings › Advanced › REST API, add a key with Read/Write permission.</p>
<form method="post" action="{{ url_for('woocommerce_install.add_keys') }}">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  <label for="url">Store address</label> <input id="url" name="url" type="url" required>
  <label for="ck">Consumer key</label>
  <input id="ck" name="consumer_key" required autocomplete="off">
  <label for="cs">Consumer secret</label>
  <input id="cs" name="consumer_secret" type="password" required autocomplete="off">
  <button type="submit">Connect with keys</button>
</form>
{% endblock %}"""
# The browser session a connect was started in; its return must come from the same one.
SESSION_BINDING = "woocommerce_connect"


def _public(endpoint: str) -> str:
    return str(current_app.config["PUBLIC_URL"]).rstrip("/") + url_for(endpoint)


def _signed_in() -> Response | None:
    """None for signed-in staff; otherwise the redirect to the sign-in page."""
    if current_user.is_authenticated:
        return None
    refusal: Response = login_manager.unauthorized()
    return refusal


def _refuse(problem: str, status: int = 400) -> tuple[str, int]:
    """The connect page again, saying why the connect did not happen."""
    return render_template_string(PAGE, problem=problem), status


def _checked_address(url: str) -> str:
    """The store address if Reshelf may call it (StoreAddressRefused otherwise)."""
    allow_private = bool(current_app.config.get("ALLOW_PRIVATE_STORES"))
    return check_store_address(url, allow_private=allow_private)


def _session_secret() -> str:
    """This browser session's connect binding, made on its first connect."""
    return str(flask_session.setdefault(SESSION_BINDING, secrets.token_urlsafe(32)))


@bp.get("/install/woocommerce/")
def connect_page() -> str | Response:
    """The "Connect WooCommerce store" page."""
    return _signed_in() or render_template_string(PAGE, problem=None)


@bp.get("/install/woocommerce/connect")
@connect_start
def start() -> Response | tuple[str, int]:
    """Send the merchant (signed-in staff) to their store's wc-auth approve page."""
    refusal = _signed_in()
    if refusal is not None:
        return refusal
    try:
        store = _checked_address(request.args.get("store", ""))
        token = connect.start(
            get_session(),
            user_id=current_user.id,
            session_secret=_session_secret(),
            store_url=store,
            now=get_clock().now(),
        )
    except connect.ConnectRefused as exc:
        return _refuse(str(exc), 403)
    except DomainError as exc:
        return _refuse(str(exc))
    return redirect(
        connect.authorize_url(
            store,
            token=token,
            return_url=_public("woocommerce_install.finish"),
            callback_url=_public("woocommerce_install.callback"),
        )
    )


@bp.post("/install/woocommerce/callback")
def callback() -> tuple[str, int]:
    """Keep the keys the store posts for a live connect; anything else is refused.

    Exactly 200 for a callback we take, or the store deletes the keys (class-wc-auth.php).
    """
    try:
        connect.accept_callback(get_session(), request.get_json(silent=True), get_clock().now())
    except connect.ConnectRefused as exc:
        log.warning("refused a WooCommerce key callback: %s", exc)
        return str(exc), 400
    return "", 200


csrf.exempt(callback)  # the store's server posts here, not a browser form


@bp.get("/install/woocommerce/return")
def finish() -> Response | tuple[str, int]:
    """The merchant is back: check the keys, then subscribe webhooks and queue the backfill."""
    refusal = _signed_in()
    if refusal is not None:
        return refusal
    if request.args.get("success") != "1":
        flash("The store did not grant Reshelf access.", "error")
        return redirect(url_for("index"))
    session = get_session()
    try:
        keys = connect.finish(
            session,
            token=request.args.get("user_id", ""),
            user_id=current_user.id,
            session_secret=_session_secret(),
            now=get_clock().now(),
        )
        store = _checked_address(keys.store_url)  # it may resolve elsewhere by now
    except DomainError as exc:
        return _refuse(str(exc))
    return _connect(session, store, keys.consumer_key, keys.consumer_secret)


@bp.post("/install/woocommerce/keys")
def add_keys() -> Response | tuple[str, int]:
    """Manual key entry: check the address, who asks and the keys; subscribe, queue the backfill."""
    refusal = _signed_in()
    if refusal is not None:
        return refusal
    session = get_session()
    try:
        store = _checked_address(request.form.get("url", ""))
        connect.check_may_connect(session, current_user.id, store)
    except connect.ConnectRefused as exc:
        return _refuse(str(exc), 403)
    except DomainError as exc:
        return _refuse(str(exc))
    consumer_key = request.form.get("consumer_key", "")
    return _connect(session, store, consumer_key, request.form.get("consumer_secret", ""))


def _connect(
    session: Session, store: str, consumer_key: str, consumer_secret: str
) -> Response | tuple[str, int]:
    """Keys checked and stored, webhooks subscribed, the user made owner, the backfill queued."""
    try:
        public_url = current_app.config["PUBLIC_URL"]
        shop = install.connect_with_keys(
            session, store, consumer_key, consumer_secret, public_url, get_clock()
        )
    except StoreError as exc:
        session.rollback()
        return _refuse(f"The store refused these keys: {exc}")
    _make_owner(session, shop)
    # The backfill is a job (``worker.backfills``): the merchant does not wait on the store.
    get_dispatcher().dispatch("backfill", shop.id)
    flash(f"{shop.name} is connected; its orders are being read.", "success")
    return redirect(url_for("index"))


def _make_owner(session: Session, shop: Shop) -> None:
    """The staff member who connected the store owns it in Reshelf and works in it next."""
    member = session.scalars(
        select(Membership).where(
            Membership.user_id == current_user.id, Membership.shop_id == shop.id
        )
    ).one_or_none()
    if member is None:
        session.add(Membership(user_id=current_user.id, shop_id=shop.id, role=Role.OWNER))
        session.commit()
    flask_session["shop_id"] = shop.id


@bp.get("/returns/<shop_key>/from-store")
def from_store(shop_key: str) -> Response:
    """A shopper followed the plugin's signed link: open their order in the portal."""
    session = get_session()
    shop = session.scalars(
        select(Shop).where(Shop.key == shop_key, Shop.platform == Platform.WOOCOMMERCE)
    ).one_or_none()
    if shop is None or shop.status != ShopStatus.ACTIVE:
        abort(404)
    try:
        order_id, email = portal_link.verify(
            shop.credential("portal_link_secret") or "", request.args.to_dict(), get_clock().now()
        )
        order = install.order_for_link(session, shop, order_id)
    except portal_link.BadLink as exc:
        abort(403, str(exc))
    except StoreError:
        order = None
    if order is None or (order.email or "").lower() != email:
        abort(404, "We could not find this order; look it up with its number and email.")
    flask_session["portal_order"] = order.id
    return redirect(url_for("portal.choose_items", shop_key=shop_key))
