"""Connecting a WooCommerce store, and the shopper's way in from the plugin's button.

wc-auth: ``/install/woocommerce/connect?store=URL`` (an owner, or someone with no shop
yet) → the store's approve page → the store POSTs the keys to
``/install/woocommerce/callback`` (which must answer exactly 200, or the store deletes
them; Reshelf keeps them on the connect attempt) → the merchant comes back to
``/install/woocommerce/return`` in the same session, where Reshelf checks and stores the
keys, subscribes its webhooks and queues the backfill, then shows Settings › WooCommerce
(the values the plugin asks for). Every store address is checked (``store_address``)
before Reshelf calls it. ``/install/woocommerce/`` offers that, and manual key entry as
the fallback; it warns first when Reshelf's own address is not https, which a real store
refuses as a callback. ``/returns/<shop key>/from-store`` takes the
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
    render_template,
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
from webapp.forms import KeysForm, StoreForm
from webapp.jobs import get_dispatcher
from webapp.limits import connect_start

# Full paths: the connect flow lives under /install/woocommerce, and the plugin's signed
# return links land in the portal's space.
bp = Blueprint("woocommerce_install", __name__)
log = logging.getLogger(__name__)

PAGE = "install/woocommerce.html"
INSECURE = (
    "Reshelf's address ({}) is not HTTPS, and WooCommerce sends its keys only to an https "
    'address ("The callback_url needs to be over SSL"). Serve Reshelf over TLS and set '
    "RESHELF_PUBLIC_URL to its https address, or enter a REST API key below."
)


# The browser session a connect was started in; its return must come from the same one.
SESSION_BINDING = "woocommerce_connect"


def _public(endpoint: str) -> str:
    return _public_url() + url_for(endpoint)


def _signed_in() -> Response | None:
    """None for signed-in staff; otherwise the redirect to the sign-in page."""
    if current_user.is_authenticated:
        return None
    refusal: Response = login_manager.unauthorized()
    return refusal


def _public_url() -> str:
    return str(current_app.config["PUBLIC_URL"]).rstrip("/")


def _insecure() -> bool:
    """Reshelf is not on https, so a real store refuses to post keys to it (class-wc-auth.php)."""
    return not _public_url().lower().startswith("https://")


def _page(problem: str | None = None, status: int = 400, store: str = "") -> tuple[str, int]:
    """The connect page, saying why a connect did not happen when one did not."""
    page = render_template(
        PAGE, problem=problem, insecure=_insecure(), public_url=_public_url(), store=store
    )
    return page, status


def _checked_address(url: str) -> str:
    """The store address if Reshelf may call it (StoreAddressRefused otherwise)."""
    allow_private = bool(current_app.config.get("ALLOW_PRIVATE_STORES"))
    return check_store_address(url, allow_private=allow_private)


def _session_secret() -> str:
    """This browser session's connect binding, made on its first connect."""
    return str(flask_session.setdefault(SESSION_BINDING, secrets.token_urlsafe(32)))


@bp.get("/install/woocommerce/")
def connect_page() -> Response | tuple[str, int]:
    """The "Connect WooCommerce store" page (warning first when Reshelf is not on https)."""
    return _signed_in() or _page(status=200, store=request.args.get("store", "")[:255])


@bp.get("/install/woocommerce/connect")
@connect_start
def start() -> Response | tuple[str, int]:
    """Send the merchant (signed-in staff) to their store's wc-auth approve page.

    Not when Reshelf's own address is plain http: a real store would refuse the callback,
    so the merchant is told here instead of on the store. Only a Reshelf that may call
    private stores (the demo's and the tests' emulated store, which take http) goes on.
    """
    refusal = _signed_in()
    if refusal is not None:
        return refusal
    form = StoreForm(request.args)
    if not form.validate():
        return _page("Enter the store's address, for example https://shop.example.")
    if _insecure() and not current_app.config.get("ALLOW_PRIVATE_STORES"):
        return _page(INSECURE.format(_public_url()))
    try:
        store = _checked_address(form.store.data or "")
        token = connect.start(
            get_session(),
            user_id=current_user.id,
            session_secret=_session_secret(),
            store_url=store,
            now=get_clock().now(),
        )
    except connect.ConnectRefused as exc:
        return _page(str(exc), 403)
    except DomainError as exc:
        return _page(str(exc))
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
        return _page(str(exc))
    return _connect(session, store, keys.consumer_key, keys.consumer_secret, keys.key_id)


@bp.post("/install/woocommerce/keys")
def add_keys() -> Response | tuple[str, int]:
    """Manual key entry: check the address, who asks and the keys; subscribe, queue the backfill."""
    refusal = _signed_in()
    if refusal is not None:
        return refusal
    form = KeysForm(request.form)
    if not form.validate():
        return _page("Enter the store's address, its consumer key and its consumer secret.")
    session = get_session()
    try:
        store = _checked_address(form.url.data or "")
        connect.check_may_connect(session, current_user.id, store)
    except connect.ConnectRefused as exc:
        return _page(str(exc), 403)
    except DomainError as exc:
        return _page(str(exc))
    return _connect(
        session, store, (form.consumer_key.data or "").strip(), form.consumer_secret.data or ""
    )


def _connect(
    session: Session,
    store: str,
    consumer_key: str,
    consumer_secret: str,
    key_id: int | None = None,
) -> Response | tuple[str, int]:
    """Keys checked and stored, webhooks subscribed, the user made owner, the backfill queued.

    Reconnecting with a new key leaves the old one valid on the store (no REST route
    deletes a key), so the merchant is told which one to revoke.
    """
    known = session.scalars(
        select(Shop).where(Shop.platform == Platform.WOOCOMMERCE, Shop.domain == store)
    ).one_or_none()
    old_key = known.credential("consumer_key") if known is not None else None
    old_page = install.key_page(store, known.credential("key_id")) if known is not None else None
    try:
        shop = install.connect_with_keys(
            session, store, consumer_key, consumer_secret, _public_url(), get_clock(), key_id
        )
    except StoreError as exc:
        session.rollback()
        return _page(f"The store refused these keys: {exc}")
    _make_owner(session, shop)
    # The backfill is a job (``worker.backfills``): the merchant does not wait on the store.
    get_dispatcher().dispatch("backfill", shop.id)
    flash(f"{shop.name} is connected; its orders are being read.", "success")
    if old_key and old_key != consumer_key:
        where = f" ({old_page})" if old_page else ""
        flash(
            f"Reshelf now uses the key {install.key_name(consumer_key)}. Revoke the one it "
            f"replaced, {install.key_name(old_key)}, in {install.KEYS_PAGE} on your "
            f"store{where}.",
            "success",
        )
    return redirect(url_for("admin.woocommerce_settings"))


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
    # A shop waiting for its merchant to reconnect keeps its links: the mirror answers.
    if shop is None or shop.status == ShopStatus.UNINSTALLED:
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
