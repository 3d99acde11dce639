"""Connecting a WooCommerce store through wc-auth.

``/install/woocommerce/connect?store=URL`` (staff) → the store's approve page → the store
POSTs the keys to ``/install/woocommerce/callback`` (must answer exactly 200, or the
store deletes the keys) → the merchant comes back to ``/install/woocommerce/return``,
where Reshelf subscribes its webhooks and backfills the shop.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask import session as flask_session
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from connectors.woocommerce import connect, install, portal_link, sync
from core.enums import Platform, Role, ShopStatus
from core.errors import DomainError, StoreError
from core.models import Membership, Order, Shop
from webapp.clock import get_clock
from webapp.db import get_session
from webapp.extensions import csrf, login_manager

# Full paths below: the connect flow lives under /install/woocommerce, and the plugin's
# signed return links land in the portal's space, /returns/<shop key>/from-store.
bp = Blueprint("woocommerce_install", __name__)
log = logging.getLogger(__name__)


def _public(endpoint: str) -> str:
    return str(current_app.config["PUBLIC_URL"]).rstrip("/") + url_for(endpoint)


@bp.get("/install/woocommerce/connect")
def start() -> Response:
    """Send the merchant (signed-in staff) to their store's wc-auth approve page."""
    if not current_user.is_authenticated:
        refusal: Response = login_manager.unauthorized()
        return refusal
    try:
        target = connect.authorize_url(
            request.args.get("store", ""),
            secret=current_app.config["SECRET_KEY"],
            return_url=_public("woocommerce_install.finish"),
            callback_url=_public("woocommerce_install.callback"),
            now=get_clock().now(),
        )
    except DomainError as exc:
        abort(400, str(exc))
    return redirect(target)


@bp.post("/install/woocommerce/callback")
def callback() -> tuple[str, int]:
    """Store the keys the store posts; anything but our token and read_write is refused."""
    try:
        keys = connect.accept_callback(
            current_app.config["SECRET_KEY"], request.get_json(silent=True), get_clock().now()
        )
    except connect.ConnectRefused as exc:
        log.warning("refused a WooCommerce key callback: %s", exc)
        return str(exc), 400
    install.save_shop(
        get_session(), keys.store_url, keys.consumer_key, keys.consumer_secret, get_clock()
    )
    return "", 200


csrf.exempt(callback)  # the store's server posts here, not a browser form


@bp.get("/install/woocommerce/return")
def finish() -> Response:
    """The merchant is back: subscribe webhooks and backfill the newly connected shop."""
    if request.args.get("success") != "1":
        flash("The store did not grant Reshelf access.", "error")
        return redirect(url_for("index"))
    try:
        store_url = connect.read_connect_token(
            current_app.config["SECRET_KEY"], request.args.get("user_id", ""), get_clock().now()
        )
    except connect.ConnectRefused as exc:
        abort(400, str(exc))
    session = get_session()
    shop = session.scalars(
        select(Shop).where(Shop.platform == Platform.WOOCOMMERCE, Shop.domain == store_url)
    ).one_or_none()
    if shop is None:
        abort(404, "the store's keys never reached Reshelf; connect again")
    _make_owner(session, shop)
    try:
        install.subscribe(shop, current_app.config["PUBLIC_URL"])
        install.backfill(session, shop, get_clock())
    except StoreError as exc:
        flash(f"Connected, but the store refused a call: {exc}", "error")
    else:
        flash(f"{shop.name} is connected.", "success")
    return redirect(url_for("index"))


def _make_owner(session: Session, shop: Shop) -> None:
    """The staff member who connected the store owns it in Reshelf and works in it next."""
    if not current_user.is_authenticated:
        return
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
    except portal_link.BadLink as exc:
        abort(403, str(exc))
    order = _mirrored_order(shop, order_id)
    if order is None or (order.email or "").lower() != email:
        abort(404, "We could not find this order; look it up with its number and email.")
    flask_session["portal_order"] = order.id
    return redirect(url_for("portal.choose_items", shop_key=shop_key))


def _mirrored_order(shop: Shop, order_id: str) -> Order | None:
    """The order from the mirror, fetched from the store if its webhook has not arrived."""
    session = get_session()
    query = select(Order).where(Order.shop_id == shop.id, Order.platform_id == order_id)
    order = session.scalars(query).one_or_none()
    if order is None:
        try:
            client = install.client_for(shop)
            sync.upsert_order(session, shop, client, client.get(f"orders/{order_id}"))
            session.commit()
        except StoreError:
            return None
        order = session.scalars(query).one_or_none()
    return order
