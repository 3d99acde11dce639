"""Signing in to the admin, and the shop and role a signed-in user acts with."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from core.enums import Role
from webapp.clock import get_clock
from webapp.db import get_session
from webapp.extensions import login_manager
from webapp.forms import FirstOwnerForm
from webapp.limits import admin_login, first_run
from webapp.users import (
    Staff,
    authenticate,
    create_first_user,
    end_all_sessions,
    has_users,
    load_staff,
    parse_id,
)

bp = Blueprint("auth", __name__, url_prefix="/admin")

F = TypeVar("F", bound=Callable[..., Any])

# When the signed-in session last made a request (epoch seconds), for the idle limit.
LAST_SEEN = "last_seen"
WRONG_PASSWORD = "That email and password do not match an account."
DEMO_ONLY = "This is a demo account: it signs in only to the demo (`reshelf demo`)."


def load_user(login_id: str) -> Staff | None:
    """The user behind the session, if it is still live; reloaded so revoked roles count.

    The session cookie is signed but kept by the browser, so a copy outlives a logout;
    what ends it is checked here, on every request: the user's session version (bumped by
    logout, a new password, deactivation), the idle limit, and demo accounts outside the
    demo. A remember-me cookie brings no last-seen time, so it never signs in by itself.
    """
    parsed = parse_id(login_id)
    staff = load_staff(get_session(), parsed[0]) if parsed else None
    now = int(get_clock().now().timestamp())
    seen = session.get(LAST_SEEN)
    idle_limit = 60 * int(current_app.config["SESSION_IDLE_MINUTES"])
    live = (
        staff is not None
        and parsed is not None
        and staff.session_version == parsed[1]
        and isinstance(seen, int)
        and 0 <= now - seen <= idle_limit
        and _refusal(staff) is None
    )
    if not live:
        for key in ("_user_id", "_fresh", "_id", LAST_SEEN):
            session.pop(key, None)
        return None
    session[LAST_SEEN] = now
    return staff


login_manager.user_loader(load_user)


def _refusal(staff: Staff | None) -> str | None:
    """Why these credentials may not sign in to this app, or None when they may."""
    if staff is None:
        return WRONG_PASSWORD
    if staff.is_demo and not current_app.config.get("DEMO"):
        return DEMO_ONLY
    return None


@bp.app_context_processor
def shop_in_templates() -> dict[str, Callable[[], int]]:
    """Let the admin's templates mark the shop the user works in."""
    return {"current_shop_id": current_shop_id}


@bp.route("/login", methods=("GET", "POST"))
@admin_login
def login() -> str | Response:
    """Show the sign-in form; on a correct email and password, sign in and go on."""
    if request.method == "POST":
        staff = authenticate(
            get_session(), request.form.get("email", ""), request.form.get("password", "")
        )
        refusal = _refusal(staff)
        if staff is not None and refusal is None:
            session.clear()  # a fresh session on sign-in, so no earlier state is carried over
            login_user(staff)
            session[LAST_SEEN] = int(get_clock().now().timestamp())
            return redirect(_safe_next(request.args.get("next")))
        flash(refusal or WRONG_PASSWORD, "error")
    return render_template("admin/login.html", first_run=not has_users(get_session()))


@bp.route("/setup", methods=("GET", "POST"))
@first_run
def setup() -> str | Response | tuple[str, int]:
    """A fresh install's first page: create the first owner, then connect a store.

    Only while nobody has an account: once one exists this page is gone (404), and the
    account is created under a lock, so two forms posted at once make one account.
    """
    db_session = get_session()
    if has_users(db_session):
        abort(404)
    form = FirstOwnerForm(request.form)
    if request.method == "POST" and form.validate():
        user = create_first_user(db_session, form.email.data or "", form.password.data or "")
        if user is None:
            abort(404)
        staff = load_staff(db_session, user.id)
        session.clear()
        login_user(staff)
        session[LAST_SEEN] = int(get_clock().now().timestamp())
        flash("Your account is ready. Connect your store next.", "success")
        return redirect(url_for("woocommerce_install.connect_page"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/setup.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    """Sign out everywhere (a copy of the cookie stops working too), then to the sign-in page."""
    if current_user.is_authenticated:
        end_all_sessions(get_session(), current_staff().id)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/shop")
def choose_shop() -> Response:
    """Switch the shop the user works in, among those they have a role in."""
    if not current_user.is_authenticated:
        refusal: Response = login_manager.unauthorized()
        return refusal
    wanted = request.form.get("shop_id", type=int)
    if wanted not in current_staff().roles:
        abort(403)
    session["shop_id"] = wanted
    return redirect(url_for("admin.list_returns"))


def _safe_next(target: str | None) -> str:
    """Follow ``next`` only to a path on this site, never to another host."""
    parts = urlsplit(target or "")
    # Browsers read "/\\host" as "//host", another site, so both forms are refused.
    local = target and target.startswith("/") and not target.startswith(("//", "/\\"))
    if local and not parts.scheme and not parts.netloc:
        return str(target)
    return url_for("admin.list_returns")


def current_staff() -> Staff:
    """The signed-in user (only in views behind the admin's sign-in check)."""
    staff: Staff = current_user._get_current_object()
    return staff


def current_shop_id() -> int:
    """The shop the user is working in: the one they picked, else their first; 403 if none."""
    roles = current_staff().roles
    picked = session.get("shop_id")
    if picked in roles:
        return int(picked)
    if not roles:
        abort(403, "Your account has no role in any shop yet.")
    return min(roles)


def requires_role(*allowed: Role) -> Callable[[F], F]:
    """Refuse the view (403) unless the user's role in the current shop is one of ``allowed``."""

    def decorate(view: F) -> F:
        """Wrap ``view`` with the role check."""

        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            """Run the view only for an allowed role."""
            if current_staff().roles.get(current_shop_id()) not in allowed:
                abort(403, "Your role in this shop does not allow that.")
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate
