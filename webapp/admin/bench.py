"""The receiving bench: parcels on their way, what arrived, and how each line was graded."""

from __future__ import annotations

from flask import abort, flash, request
from werkzeug.wrappers import Response

from core import services
from core.enums import Disposition, Grade
from core.queries import shop_return_line
from webapp.admin.common import back_to, bp, run_service
from webapp.auth import current_shop_id
from webapp.db import get_session
from webapp.forms import GradeForm, InTransitForm, first_error, whole_number


@bp.post("/returns/<int:return_id>/in-transit")
def mark_in_transit(return_id: int) -> Response:
    """Record that the parcel is on its way, with the carrier and tracking number if known."""
    form = InTransitForm(request.form)
    if not form.validate():
        flash(first_error(form), "error")
        return back_to(return_id)
    run_service(
        services.mark_in_transit,
        return_id=return_id,
        carrier=form.carrier.data,
        tracking_number=form.tracking_number.data,
    )
    return back_to(return_id)


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
        return back_to(return_id)
    run_service(services.receive_return, return_id=return_id, received=received)
    return back_to(return_id)


@bp.post("/lines/<int:line_id>/grade")
def grade(line_id: int) -> Response:
    """Grade a received line; a restock disposition writes the stock ledger."""
    line = shop_return_line(get_session(), current_shop_id(), line_id)
    if line is None:
        abort(404)
    form = GradeForm(request.form)
    if not form.validate():
        flash(first_error(form), "error")
        return back_to(line.return_id)
    run_service(
        services.grade_line,
        return_line_id=line_id,
        grade=Grade(form.grade.data),
        disposition=Disposition(form.disposition.data),
    )
    return back_to(line.return_id)
