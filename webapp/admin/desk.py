"""The returns desk: the list, one return with its ledger, and the decisions on it."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from werkzeug.wrappers import Response

from core import services
from core.enums import Disposition, Grade, ReturnStatus
from core.queries import DESK_PAGE_SIZE, desk_list, desk_page_number, return_detail
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
    returns = desk_list(get_session(), current_shop_id(), status, page)
    return render_template(
        "admin/returns.html",
        returns=returns,
        statuses=list(ReturnStatus),
        status=status or "",
        page=page,
        more=len(returns) == DESK_PAGE_SIZE,
    )


@bp.get("/returns/<int:return_id>")
def show_return(return_id: int) -> str:
    """One return: its lines, what the policy decided, what to do next, its audit trail."""
    detail = return_detail(get_session(), current_shop_id(), return_id)
    if detail is None:
        abort(404)
    return render_template(
        "admin/return.html",
        ret=detail.ret,
        S=ReturnStatus,
        grades=list(Grade),
        decisions=detail.decisions,
        movements=detail.movements,
        settlements=detail.settlements,
        dispositions=list(Disposition),
        can_decide=role_in(DESK),
    )


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
