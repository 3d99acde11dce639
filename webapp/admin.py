"""The returns desk and receiving bench: list, open, approve or reject, receive, grade."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from core import services
from core.enums import Disposition, Grade, ReturnStatus, Role
from core.errors import DomainError, NotFound
from core.models import Order, ReturnLine, ReturnRequest
from core.queries import DESK_PAGE_SIZE, desk_page
from webapp.auth import current_shop_id, current_staff, requires_role
from webapp.clock import get_clock
from webapp.db import get_session
from webapp.extensions import login_manager
from webapp.forms import choice, whole_number
from webapp.jobs import get_dispatcher

bp = Blueprint("admin", __name__, url_prefix="/admin")
DESK = (Role.OWNER, Role.AGENT)  # who may approve and reject


@bp.before_request
def require_login() -> Response | None:
    """Every admin page needs a signed-in user; the others are sent to sign in."""
    if current_user.is_authenticated:
        return None
    refusal: Response = login_manager.unauthorized()
    return refusal


@bp.get("/")
def list_returns() -> str:
    """Returns of the current shop, newest first, optionally of one status."""
    wanted = request.args.get("status", "")
    status = ReturnStatus(wanted) if wanted in set(ReturnStatus) else None
    page = max(1, request.args.get("page", 1, type=int) or 1)
    db = get_session()
    returns = desk_page(db, current_shop_id(), status, offset=(page - 1) * DESK_PAGE_SIZE)
    # Load the orders in one query; each ``ret.order`` then comes from the identity map.
    db.scalars(select(Order).where(Order.id.in_({r.order_id for r in returns}))).all()
    return render_template(
        "admin/returns.html", returns=returns, statuses=list(ReturnStatus), status=status or "",
        page=page, more=len(returns) == DESK_PAGE_SIZE,
    )  # fmt: skip


@bp.get("/returns/<int:return_id>")
def show_return(return_id: int) -> str:
    """One return: its lines, what the policy decided, what to do next, its audit trail."""
    query = (
        select(ReturnRequest)
        .where(ReturnRequest.shop_id == current_shop_id(), ReturnRequest.id == return_id)
        .options(selectinload(ReturnRequest.lines).selectinload(ReturnLine.order_line))
    )
    ret = get_session().scalars(query).one_or_none()
    if ret is None:
        abort(404)
    decisions = {d["line_id"]: d for d in ret.decision.get("lines", [])}
    return render_template(
        "admin/return.html", ret=ret, decisions=decisions, S=ReturnStatus, grades=list(Grade),
        dispositions=list(Disposition), can_decide=_role_in(DESK),
    )  # fmt: skip


@bp.post("/returns/<int:return_id>/approve")
@requires_role(*DESK)
def approve(return_id: int) -> Response:
    """Approve a return that is waiting for review."""
    _run(services.approve_return, return_id=return_id, note=request.form.get("note") or None)
    return _back(return_id)


@bp.post("/returns/<int:return_id>/reject")
@requires_role(*DESK)
def reject(return_id: int) -> Response:
    """Turn a return down with the sentence the shopper will read."""
    reason = request.form.get("reason", "").strip()
    if not reason:
        flash("Say why the return is rejected; the shopper will read it.", "error")
    else:
        _run(services.reject_return, return_id=return_id, reason=reason)
    return _back(return_id)


@bp.post("/returns/<int:return_id>/receive")
def receive(return_id: int) -> Response:
    """Record how many units of each line arrived."""
    try:
        received = {
            int(key.removeprefix("received-")): whole_number(value, "received quantity")
            for key, value in request.form.items()
            if key.startswith("received-") and key.removeprefix("received-").isdigit()
        }
    except ValueError as exc:
        flash(str(exc), "error")
        return _back(return_id)
    _run(services.receive_return, return_id=return_id, received=received)
    return _back(return_id)


@bp.post("/lines/<int:line_id>/grade")
def grade(line_id: int) -> Response:
    """Grade a received line; a restock disposition writes the stock ledger."""
    line = get_session().get(ReturnLine, line_id)
    if line is None or line.shop_id != current_shop_id():
        abort(404)
    try:
        found = choice(request.form.get("grade"), Grade, "grade")
        disposition = choice(request.form.get("disposition"), Disposition, "disposition")
    except ValueError as exc:
        flash(str(exc), "error")
        return _back(line.return_id)
    _run(services.grade_line, return_line_id=line_id, grade=found, disposition=disposition)
    return _back(line.return_id)


def _run(service: Callable[..., Any], **arguments: Any) -> None:
    """Call a core service as the signed-in user; show a refusal instead of failing."""
    try:
        service(
            get_session(), shop_id=current_shop_id(), actor=current_staff().email,
            clock=get_clock(), dispatcher=get_dispatcher(), **arguments,
        )  # fmt: skip
    except NotFound:
        abort(404)
    except DomainError as exc:
        get_session().rollback()
        flash(str(exc), "error")
    else:
        flash("Saved.", "success")


def _role_in(allowed: tuple[Role, ...]) -> bool:
    """True if the user's role in the current shop is one of ``allowed``."""
    return current_staff().roles.get(current_shop_id()) in allowed


def _back(return_id: int) -> Response:
    """Back to the return's page."""
    return redirect(url_for("admin.show_return", return_id=return_id))
