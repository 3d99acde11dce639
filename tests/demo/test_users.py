"""The demo's admin is marked demo and signs in only to the app ``reshelf demo`` builds."""

from __future__ import annotations

from sqlalchemy import select

from core.enums import Role
from core.models import User
from demo.run import demo_app
from demo.shops import add_demo_admin
from tests.webapp.actions import AdminActions
from webapp import create_app
from webapp.users import add_user


def test_the_demo_admin_signs_in_to_the_demo_only(engine, db, clock, dispatcher, factory):
    shop = factory.shop(name="Demo Shop")
    db.commit()
    email, password = add_demo_admin(db, [shop], "test-secret-key")
    assert db.scalars(select(User.is_demo).where(User.email == email)).one() is True
    config = {"TESTING": True, "DATABASE_ENGINE": engine, "CLOCK": clock, "DISPATCHER": dispatcher}
    demo = AdminActions(demo_app(config).test_client())
    assert demo.login(email, password).status_code == 302
    assert demo.signed_in()

    normal = AdminActions(create_app(config).test_client())
    refused = normal.login(email, password)
    assert refused.status_code == 200
    assert "demo account" in refused.get_data(as_text=True)
    assert not normal.signed_in()
    # Nor does the demo's cookie carry over to the normal app (they share the instance's key).
    carried = create_app(config).test_client()
    cookie = demo.client.get_cookie("session")
    assert cookie is not None
    carried.set_cookie("session", cookie.value)
    assert not AdminActions(carried).signed_in()


def test_other_users_are_not_demo_users(db, factory):
    shop = factory.shop()
    db.commit()
    staff = add_user(db, "desk@example.com", "correct horse battery staple", shop, Role.OWNER)
    assert db.get(User, staff.id).is_demo is False
