"""A platform is one folder: register a third one, and every entry point serves it.

``tests/fake_platform`` is a whole platform (connector, webhooks, command line) that no
module outside it knows. Registering it in ``connectors.CONNECTORS`` is enough for
``reshelf shop add``, ``POST /webhooks/<platform>/<key>`` and the worker's inbox job.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import connectors
from cli.main import main
from core.enums import InboxStatus
from core.models import Customer, InboxDelivery, Shop
from core.ports import ConnectorClass
from tests.fake_platform.connector import FakeConnector
from tests.fake_platform.webhooks import PLATFORM, sign
from webapp import create_app
from worker.context import WorkerContext, use_context
from worker.jobs import process_delivery_job

SECRET = "fake-webhook-secret"


@pytest.fixture
def fake_platform(monkeypatch):
    """The fake platform registered for this test only."""
    registered: ConnectorClass = FakeConnector  # mypy checks the fake is a whole platform
    monkeypatch.setitem(connectors.CONNECTORS, PLATFORM, registered)
    return registered


def test_an_unregistered_platform_is_not_served(engine, db, clock, dispatcher):
    web = create_app({"TESTING": True, "DATABASE_ENGINE": engine, "DISPATCHER": dispatcher})
    assert web.test_client().post(f"/webhooks/{PLATFORM}/any", data=b"{}").status_code == 404
    assert CliRunner().invoke(main, ["shop", "add", PLATFORM, "--help"]).exit_code != 0


def test_cli_webhook_and_worker_serve_a_registered_platform(
    fake_platform, engine, db, clock, dispatcher
):
    # The command line: ``reshelf shop add fakeshop`` comes from the platform's cli.py.
    added = CliRunner().invoke(
        main, ["shop", "add", PLATFORM, "--domain", "fake.example", "--secret", SECRET]
    )
    assert added.exit_code == 0, added.output
    shop = db.scalars(select(Shop).where(Shop.platform == PLATFORM)).one()
    listed = CliRunner().invoke(main, ["shop", "list"])
    assert f"fake.example\t{PLATFORM}\tactive" in listed.output

    # The webhook endpoint: the platform's connector verifies and stores the delivery.
    web = create_app(
        {"TESTING": True, "DATABASE_ENGINE": engine, "CLOCK": clock, "DISPATCHER": dispatcher}
    ).test_client()
    body = json.dumps({"id": 41, "email": "ann@example.com"}).encode()
    url = f"/webhooks/{PLATFORM}/{shop.key}"
    unsigned = web.post(url, data=body, headers={"X-Fake-Topic": "customer"})
    assert unsigned.status_code == 401
    headers = {"X-Fake-Topic": "customer", "X-Fake-Signature": sign(body, SECRET)}
    assert web.post(url, data=body, headers=headers).status_code == 200
    delivery = db.scalars(select(InboxDelivery)).one()
    assert (delivery.platform, delivery.topic, delivery.shop_id) == (PLATFORM, "customer", shop.id)
    assert dispatcher.sent == [("inbox", delivery.id)]

    # The worker: the inbox job finds the fake connector through the registry.
    with use_context(WorkerContext(engine=engine, clock=clock)):
        assert process_delivery_job(delivery.id) is None
    db.expire_all()
    assert db.get_one(InboxDelivery, delivery.id).status == InboxStatus.PROCESSED
    customer = db.scalars(select(Customer).where(Customer.shop_id == shop.id)).one()
    assert (customer.platform_id, customer.email) == ("41", "ann@example.com")
