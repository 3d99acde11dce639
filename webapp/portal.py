"""The shopper's side: find an order, see what can come back, ask for a return."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from core import services
from core.enums import ResolutionKind, ShopStatus
from core.errors import DomainError, NotEligible
from core.models import Order, ReturnRequest, Shop
from core.policy import evaluate
from core.queries import find_order_for_shopper, shop_reasons
from core.services.contexts import order_context
from webapp.clock import get_clock
from webapp.db import get_session
from webapp.forms import first_error, return_line_form
from webapp.jobs import get_dispatcher
from webapp.limits import portal_lookup

bp = Blueprint("portal", __name__, url_prefix="/returns")

NOT_FOUND = "We could not find an order with that number and email address."


@bp.get("/")
def choose_shop() -> Response:
    """With a single connected shop (the embedded demo), go straight to its portal."""
    keys = get_session().scalars(select(Shop.key).where(Shop.status == ShopStatus.ACTIVE)).all()
    if len(keys) != 1:
        abort(404, "Open the returns link from the store you bought from.")
    return redirect(url_for("portal.find_order", shop_key=keys[0]))


@bp.route("/<shop_key>/", methods=("GET", "POST"))
@portal_lookup
def find_order(shop_key: str) -> str | Response:
    """Ask for the order number and email; a wrong pair never says which part was wrong."""
    shop = _shop(shop_key)
    if request.method == "POST":
        number, email = request.form.get("number", ""), request.form.get("email", "")
        order = find_order_for_shopper(get_session(), shop.id, number, email)
        if order is not None:
            admit_shopper(order)
            return redirect(url_for("portal.choose_items", shop_key=shop_key))
        flash(NOT_FOUND, "error")
    return render_template("portal/lookup.html", shop=shop)


@bp.route("/<shop_key>/order", methods=("GET", "POST"))
def choose_items(shop_key: str) -> str | Response:
    """Show each line with the policy's decision; on submit, request the return."""
    shop = _shop(shop_key)
    db = get_session()
    order = db.get(Order, session.get("portal_order") or 0)
    if order is None or order.shop_id != shop.id:
        return redirect(url_for("portal.find_order", shop_key=shop_key))
    if request.method == "POST":
        try:
            asked = _asked_lines(order)
            ret = services.request_return(
                db, shop_id=shop.id, order_id=order.id, lines=asked, actor="shopper",
                clock=get_clock(), dispatcher=get_dispatcher(),
            )  # fmt: skip
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
    _, policy = services.published_policy(db, shop.id)
    now = get_clock().now()
    decisions = {d.line_id: d for d in evaluate(policy, order_context(db, order), now)}
    return render_template(
        "portal/order.html", shop=shop, order=order, decisions=decisions,
        returnable=services.returnable_quantities(db, order), reasons=shop_reasons(db, shop.id),
    )  # fmt: skip


@bp.get("/<shop_key>/confirmation/<rma>")
def confirm(shop_key: str, rma: str) -> str:
    """The RMA and what happens next; only for the browser that asked for it."""
    shop = _shop(shop_key)
    if rma not in session.get("portal_rmas", []):
        abort(404)
    query = select(ReturnRequest).where(ReturnRequest.shop_id == shop.id, ReturnRequest.rma == rma)
    ret = get_session().scalars(query).one_or_none()
    if ret is None:
        abort(404)
    return render_template("portal/confirmation.html", shop=shop, ret=ret)


def admit_shopper(order: Order) -> None:
    """Let this browser return items of ``order``: after a lookup, or a store's signed link."""
    session["portal_order"] = order.id


def _shop(key: str) -> Shop:
    """The active shop with this public key, or 404."""
    shop = get_session().scalars(select(Shop).where(Shop.key == key)).one_or_none()
    if shop is None or shop.status != ShopStatus.ACTIVE:
        abort(404)
    return shop


def _asked_lines(order: Order) -> list[services.LineRequest]:
    """The lines the shopper chose (quantity above zero), with reason and resolution."""
    reasons = shop_reasons(get_session(), order.shop_id)
    asked = []
    for line in order.lines:
        form = return_line_form(request.form, line.id, reasons)
        if not form.quantity.validate(form):
            raise ValueError(form.quantity.errors[0])
        quantity = int(form.quantity.data or 0)
        if quantity == 0:
            continue
        if not form.validate():
            raise ValueError(f"{line.title}: {first_error(form)}")
        resolution = ResolutionKind(form.resolution.data)
        asked.append(services.LineRequest(line.id, quantity, form.reason.data, resolution))
    if not asked:
        raise ValueError("Choose how many of at least one item you want to return.")
    return asked
