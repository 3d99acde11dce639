"""Settings › WooCommerce: what the companion plugin asks for, reconnecting, disconnecting.

The plugin's settings page (manifests/woocommerce/reshelf-returns/includes/
class-reshelf-returns-settings.php) says its portal URL and shared secret are "Shown in
Reshelf under Settings › WooCommerce": this is that page, for the shop's owners.
"""

from __future__ import annotations

from flask import abort, current_app, render_template, request

from connectors.woocommerce import install
from core.enums import Platform, Role, ShopStatus
from core.models import Shop
from webapp.admin.common import bp
from webapp.auth import current_shop_id, current_staff, requires_role
from webapp.clock import get_clock
from webapp.db import get_session
from webapp.forms import DELETE_DATA, DisconnectForm
from webapp.users import load_staff


def _public_url() -> str:
    return str(current_app.config["PUBLIC_URL"]).rstrip("/")


def _woocommerce_shop() -> Shop:
    """The WooCommerce shop the owner works in; 404 for a store of another platform."""
    shop = get_session().get(Shop, current_shop_id())
    if shop is None or shop.platform != Platform.WOOCOMMERCE:
        abort(404, "The shop you work in is not a WooCommerce store.")
    return shop


def _page(shop: Shop, form: DisconnectForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "admin/settings_woocommerce.html",
        shop=shop,
        S=ShopStatus,
        portal_url=f"{_public_url()}/returns/{shop.key}",
        secret=shop.credential("portal_link_secret") or "",
        key=install.key_name(shop.credential("consumer_key")),
        keys_page=install.KEYS_PAGE,
        form=form,
    ), status


@bp.get("/settings/woocommerce")
@requires_role(Role.OWNER)
def woocommerce_settings() -> tuple[str, int]:
    """The portal URL and shared secret for the plugin, the connection's state, disconnect."""
    return _page(_woocommerce_shop(), DisconnectForm())


@bp.post("/settings/woocommerce/disconnect")
@requires_role(Role.OWNER)
def disconnect_woocommerce() -> tuple[str, int]:
    """Delete Reshelf's webhooks, forget the key, keep or delete the data; say what is left."""
    shop = _woocommerce_shop()
    form = DisconnectForm(request.form)
    if not form.validate():
        return _page(shop, form, 400)
    if shop.status == ShopStatus.UNINSTALLED:
        return _page(shop, form, 409)
    session = get_session()
    done = install.disconnect(
        session, shop, _public_url(), get_clock(), delete_data=form.records.data == DELETE_DATA
    )
    staff = load_staff(session, current_staff().id)
    return render_template(
        "admin/disconnected.html",
        done=done,
        keys_page=install.KEYS_PAGE,
        webhooks_page=install.WEBHOOKS_PAGE,
        still_member=staff is not None and shop.id in staff.roles,
    ), 200
