"""The app factory's wiring: the blueprints, CSRF exemptions, the dispatcher."""

from __future__ import annotations

from tests.webapp import fake_platform
from tests.webapp.actions import PortalActions
from webapp import create_app
from worker.dispatch import RQDispatcher


def test_every_part_of_the_site_is_served(engine, dispatcher):
    app = create_app({"DATABASE_ENGINE": engine, "DISPATCHER": dispatcher})
    parts = {"portal", "auth", "admin", "api", "webhooks", "shopify_install", "woocommerce_install"}
    assert parts <= app.blueprints.keys()


def test_store_posts_skip_csrf_and_browser_posts_need_it(monkeypatch, engine, dispatcher):
    monkeypatch.setattr("webapp.STORE_BLUEPRINTS", (fake_platform.bp,))
    app = create_app({"DATABASE_ENGINE": engine, "DISPATCHER": dispatcher})
    assert app.test_client().post("/fake-platform/deliveries", data="{}").status_code == 200
    # The portal's own forms still need their token.
    assert app.test_client().post("/admin/login", data={}).status_code == 400


def test_the_dispatcher_is_the_workers(engine):
    app = create_app({"DATABASE_ENGINE": engine})
    assert isinstance(app.extensions["reshelf.dispatcher"].inner, RQDispatcher)


class _BrokenQueue:
    """A dispatcher whose queue is unreachable."""

    def dispatch(self, kind, object_id):
        """Fail as a Redis outage would."""
        raise ConnectionError("Redis is down")


def test_a_queue_failure_after_commit_does_not_fail_the_request(engine, store, clock, caplog):
    app = create_app({"DATABASE_ENGINE": engine, "CLOCK": clock, "DISPATCHER": _BrokenQueue()})
    response = PortalActions(app.test_client(), store.shop.key).request_return("1001", store.email)
    assert "Your return number is" in response.get_data(as_text=True)
    assert "could not enqueue return_sync" in caplog.text
