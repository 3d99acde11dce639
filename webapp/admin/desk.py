"""The returns desk: the list, one return with its ledger, and the decisions on it."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from core import services
from core.enums import Disposition, Grade, ReturnStatus
from core.models import Order, ReturnLine, ReturnRequest, Settlement, StockMovement
from core.queries import DESK_PAGE_SIZE, desk_page, desk_page_number
from webapp.admin.common import DESK, back_to, bp, role_in, run_service
from webapp.auth import current_shop_id, requires_role
from webapp.db import get_session
from webapp.forms import ApproveForm, RejectForm, first_error


@bp.get("/")
def list_returns() -> str:
    """Returns of the current shop, newest first, optionally of one status."""
    wanted = request.args.get("status", "")
    status = ReturnStatus(wanted) if wanted in set(ReturnStatus) else None
    page = desk_page_number(request.args.get("page", 1, type=int))
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
    db = get_session()
    ret = db.scalars(query).one_or_none()
    if ret is None:
        abort(404)
    line_ids = [line.id for line in ret.lines]
    movements = db.scalars(select(StockMovement).where(StockMovement.return_line_id.in_(line_ids)))
    settlements = db.scalars(select(Settlement).where(Settlement.return_id == ret.id))
    return render_template(
        "admin/return.html", ret=ret, S=ReturnStatus, grades=list(Grade),
        decisions={d["line_id"]: d for d in ret.decision.get("lines", [])},
        movements=movements.all(), settlements=settlements.all(),
        dispositions=list(Disposition), can_decide=role_in(DESK),
    )  # fmt: skip


@bp.post("/returns/<int:return_id>/approve")
@requires_role(*DESK)
def approve(return_id: int) -> Response:
    """Approve a return that is waiting for review."""
    form = ApproveForm(request.form)
    if form.validate():
        run_service(services.approve_return, return_id=return_id, note=form.note.data)
    else:
        flash(first_error(form), "error")
    return back_to(return_id)


@bp.post("/returns/<int:return_id>/reject")
@requires_role(*DESK)
def reject(return_id: int) -> Response:
    """Turn a return down with the sentence the shopper will read."""
    form = RejectForm(request.form)
    if form.validate():
        run_service(services.reject_return, return_id=return_id, reason=form.reason.data)
    else:
        flash(first_error(form), "error")
    return back_to(return_id)


@bp.post("/returns/<int:return_id>/resolve")
@requires_role(*DESK)
def resolve(return_id: int) -> Response:
    """Write the refund, credit or exchange for the graded units; the worker applies them."""
    run_service(services.resolve_return, return_id=return_id)
    return back_to(return_id)


@bp.post("/returns/<int:return_id>/close")
@requires_role(*DESK)
def close(return_id: int) -> Response:
    """Close a return whose money side the store has confirmed."""
    run_service(services.close_return, return_id=return_id)
    return back_to(return_id)
