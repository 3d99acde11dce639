"""Sessions end server-side: logout, a new password, deactivation and idle time revoke them."""

from __future__ import annotations

from click.testing import CliRunner
from flask_login.utils import encode_cookie

from cli.main import main
from core.models import User
from tests.webapp.actions import AdminActions
from tests.webapp.conftest import STAFF_EMAIL, STAFF_PASSWORD
from webapp.users import load_staff


def _captured(client) -> str:
    """The session cookie as an attacker who copied it would replay it."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    return str(cookie.value)


def _replay(app, value: str) -> AdminActions:
    """A new browser carrying a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", value)
    return AdminActions(thief)


def test_a_cookie_copied_before_logout_no_longer_signs_in(app, admin):
    copied = _captured(admin.client)
    assert _replay(app, copied).signed_in()  # the copy works while the session lives
    assert admin.logout().status_code == 302
    assert not admin.signed_in()
    assert not _replay(app, copied).signed_in()


def test_a_new_password_from_the_cli_ends_earlier_sessions(app, admin, store):
    copied = _captured(admin.client)
    args = ["user", "add", STAFF_EMAIL, "--shop", store.shop.domain, "--password", "new-pass-1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert not _replay(app, copied).signed_in()
    assert not admin.signed_in()
    assert admin.login(STAFF_EMAIL, "new-pass-1").status_code == 302
    assert admin.signed_in()


def test_set_password_ends_earlier_sessions(app, admin, db, staff):
    from webapp.users import set_password

    copied = _captured(admin.client)
    set_password(db, staff.id, "another-pass-2")
    assert not _replay(app, copied).signed_in()


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(app, admin, db, staff):
    copied = _captured(admin.client)
    result = CliRunner().invoke(main, ["user", "deactivate", STAFF_EMAIL])
    assert result.exit_code == 0, result.output
    assert not _replay(app, copied).signed_in()
    db.expire_all()
    db.get(User, staff.id).active = True  # switched back on by hand in the database
    db.commit()
    assert not _replay(app, copied).signed_in()
    assert admin.login(STAFF_EMAIL, STAFF_PASSWORD).status_code == 302


def test_a_session_idle_past_the_limit_goes_to_the_sign_in_page(app, admin, clock):
    copied = _captured(admin.client)
    clock.advance(minutes=61)
    answer = admin.client.get("/admin/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/admin/login")
    assert not _replay(app, copied).signed_in()


def test_each_request_keeps_the_session_alive(admin, clock):
    for _ in range(3):
        clock.advance(minutes=50)
        assert admin.signed_in()


def test_the_idle_limit_is_a_setting(engine, db, clock, dispatcher, staff):
    from webapp import create_app

    config = {"DATABASE_ENGINE": engine, "CLOCK": clock, "SESSION_IDLE_MINUTES": 5}
    actions = AdminActions(create_app({"TESTING": True, **config}).test_client())
    assert actions.login(STAFF_EMAIL, STAFF_PASSWORD).status_code == 302
    clock.advance(minutes=4)
    assert actions.signed_in()
    clock.advance(minutes=6)
    assert not actions.signed_in()


def test_a_remember_me_cookie_does_not_sign_in_without_a_live_session(app, db, staff):
    with app.test_request_context():
        # What Flask-Login would have set with ``login_user(remember=True)``.
        remember = encode_cookie(load_staff(db, staff.id).get_id())
    stranger = app.test_client()
    stranger.set_cookie("remember_token", remember)
    assert not AdminActions(stranger).signed_in()


def test_signing_in_again_after_logout_works(admin):
    admin.logout()
    assert admin.login(STAFF_EMAIL, STAFF_PASSWORD).status_code == 302
    assert admin.signed_in()
