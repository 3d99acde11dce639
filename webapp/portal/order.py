"""The order page: each line with the policy's decision, and the request of a return."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from core import services
from core.errors import DomainError, NotEligible
from webapp.clock import get_clock
from webapp.db import get_session
from webapp.forms import return_lines
from webapp.jobs import get_dispatcher
from webapp.portal.common import admitted_order, bp, shop_or_404


@bp.route("/<shop_key>/order", methods=("GET", "POST"))
def choose_items(shop_key: str) -> str | Response:
    """Show each line with the policy's decision; on submit, request the return.

    Core decides the order once per page; a request is decided again by
    ``request_return``, under the order's lock and with the reasons chosen, by the same
    ``decide_order``, so what the page offers and what the request gets cannot differ.
    """
    shop = shop_or_404(shop_key)
    order = admitted_order(shop)
    if order is None:
        return redirect(url_for("portal.find_order", shop_key=shop_key))
    db = get_session()
    decided = services.decide_order(db, shop_id=shop.id, order=order, clock=get_clock())
    if request.method == "POST":
        try:
            ret = services.request_return(
                db,
                shop_id=shop.id,
                order_id=order.id,
                lines=return_lines(request.form, order, decided.reasons),
                actor="shopper",
                clock=get_clock(),
                dispatcher=get_dispatcher(),
            )
        except NotEligible as exc:
            db.rollback()
            for reason in exc.reasons:
                flash(reason, "error")
        except (DomainError, ValueError) as exc:
            db.rollback()
            flash(str(exc), "error")
        else:
            session["portal_rmas"] = [*session.get("portal_rmas", []), ret.rma]
            return redirect(url_for("portal.confirm", shop_key=shop_key, rma=ret.rma))
    return render_template("portal/order.html", shop=shop, order=order, decided=decided)
