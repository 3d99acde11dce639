"""The portal's front door: the shop's address, and the lookup of an order by number and email."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from core.queries import active_shop_keys, find_order_for_shopper
from webapp.db import get_session
from webapp.forms import LookupForm
from webapp.limits import portal_lookup
from webapp.portal.common import admit_shopper, bp, shop_or_404

NOT_FOUND = "We could not find an order with that number and email address."


@bp.get("/")
def choose_shop() -> Response:
    """With a single connected shop (the embedded demo), go straight to its portal."""
    keys = active_shop_keys(get_session())
    if len(keys) != 1:
        abort(404, "Open the returns link from the store you bought from.")
    return redirect(url_for("portal.find_order", shop_key=keys[0]))


@bp.route("/<shop_key>/", methods=("GET", "POST"))
@portal_lookup
def find_order(shop_key: str) -> str | Response:
    """Ask for the order number and email; a wrong pair never says which part was wrong."""
    shop = shop_or_404(shop_key)
    if request.method == "POST":
        form = LookupForm(request.form)
        order = find_order_for_shopper(get_session(), shop.id, form.number.data, form.email.data)
        if order is not None:
            admit_shopper(order)
            return redirect(url_for("portal.choose_items", shop_key=shop_key))
        flash(NOT_FOUND, "error")
    return render_template("portal/lookup.html", shop=shop)
