"""The return's number and what happens next, for the browser that asked for it."""

from __future__ import annotations

from flask import abort, render_template, session
from sqlalchemy import select

from core.enums import LedgerState, ResolutionKind
from core.models import Settlement
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
    # A store credit the store issued as a coupon (WooCommerce): the shopper needs its code.
    credits = get_session().scalars(
        select(Settlement).where(
            Settlement.shop_id == shop.id,
            Settlement.return_id == ret.id,
            Settlement.kind == ResolutionKind.STORE_CREDIT,
            Settlement.state == LedgerState.APPLIED,
        )
    )
    coupons = [c for c in credits if (c.store_answer or {}).get("coupon")]
    return render_template("portal/confirmation.html", shop=shop, ret=ret, coupons=coupons)
