"""The admin blueprint and what its views share: sign-in, running a service, going back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from core.enums import Role
from core.errors import DomainError, NotFound
from webapp.auth import current_shop_id, current_staff
from webapp.clock import get_clock
from webapp.db import get_session
from webapp.extensions import login_manager
from webapp.jobs import get_dispatcher

bp = Blueprint("admin", __name__, url_prefix="/admin")
DESK = (Role.OWNER, Role.AGENT)  # who may decide, settle and close; every role may receive


@bp.before_request
def require_login() -> Response | None:
    """Every admin page needs a signed-in user; the others are sent to sign in.

    Someone with no shop yet (the first owner of a fresh install) has nothing to see here
    but the way to connect one.
    """
    if not current_user.is_authenticated:
        refusal: Response = login_manager.unauthorized()
        return refusal
    if not current_staff().roles:
        return redirect(url_for("woocommerce_install.connect_page"))
    return None


def run_service(service: Callable[..., Any], **arguments: Any) -> None:
    """Call a core service as the signed-in user; show a refusal instead of failing."""
    try:
        service(
            get_session(),
            shop_id=current_shop_id(),
            actor=current_staff().email,
            clock=get_clock(),
            dispatcher=get_dispatcher(),
            **arguments,
        )
    except NotFound:
        abort(404)
    except DomainError as exc:
        get_session().rollback()
        flash(str(exc), "error")
    else:
        flash("Saved.", "success")


def role_in(allowed: tuple[Role, ...]) -> bool:
    """True if the user's role in the current shop is one of ``allowed``."""
    return current_staff().roles.get(current_shop_id()) in allowed


def back_to(return_id: int) -> Response:
    """Back to the return's page."""
    return redirect(url_for("admin.show_return", return_id=return_id))
