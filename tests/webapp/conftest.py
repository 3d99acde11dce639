"""The web app on the shared test database, a client, and a shop with an order to return."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from core.enums import Role
from core.models import Order, Shop
from core.services import ensure_default_policy
from tests.webapp.actions import AdminActions, PortalActions
from webapp import create_app
from webapp.users import add_user

STAFF_EMAIL = "desk@example.com"
STAFF_PASSWORD = "correct horse battery staple"


@pytest.fixture
def app(engine, db, clock, dispatcher):
    """The app on the test engine, with the frozen clock and a recording dispatcher.

    Rate-limit counts start from nothing (in Redis they outlive the app that wrote them).
    """
    app = create_app(
        {"TESTING": True, "DATABASE_ENGINE": engine, "CLOCK": clock, "DISPATCHER": dispatcher}
    )
    for limiter in app.extensions.get("limiter", ()):
        limiter.reset()
    return app


@pytest.fixture
def client(app):
    """A browser without cookies yet."""
    return app.test_client()


@dataclass
class Store:
    """A shop on the default policy with one delivered order: two shirts, a final-sale scarf."""

    shop: Shop
    order: Order
    email: str = "shopper@example.com"


@pytest.fixture
def store(db, factory, clock) -> Store:
    """The shop, its default policy and order 1001, committed."""
    shop = factory.shop(name="Test Shop")
    ensure_default_policy(db, shop.id, clock)
    shirt = factory.variant(shop, title="Linen shirt")
    scarf = factory.variant(shop, title="Clearance scarf")
    order = factory.order(
        shop, [(shirt, 2, Decimal("40.00")), (scarf, 1, Decimal("10.00"))], number="1001"
    )
    order.lines[1].final_sale = True
    db.commit()
    return Store(shop, order)


@pytest.fixture
def portal(client, store) -> PortalActions:
    """A shopper in the store's portal."""
    return PortalActions(client, store.shop.key)


@pytest.fixture
def staff(db, store):
    """An owner of the store's shop."""
    return add_user(db, STAFF_EMAIL, STAFF_PASSWORD, store.shop, Role.OWNER)


@pytest.fixture
def admin(client, staff) -> AdminActions:
    """Staff, signed in."""
    actions = AdminActions(client)
    assert actions.login(STAFF_EMAIL, STAFF_PASSWORD).status_code == 302
    return actions
