"""The return's number and what happens next, for the browser that asked for it."""

from __future__ import annotations

from flask import abort, render_template, session

from core.queries import shop_return
from webapp.db import get_session
from webapp.portal.common import bp, shop_or_404


@bp.get("/<shop_key>/confirmation/<rma>")
def confirm(shop_key: str, rma: str) -> str:
    """The RMA and what happens next; only for the browser that asked for it."""
    shop = shop_or_404(shop_key)
    if rma not in session.get("portal_rmas", []):
        abort(404)
    ret = shop_return(get_session(), shop.id, rma)
    if ret is None:
        abort(404)
    return render_template("portal/confirmation.html", shop=shop, ret=ret)
