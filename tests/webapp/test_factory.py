"""The app factory's wiring: parts provided elsewhere, CSRF exemptions, the dispatcher."""

from __future__ import annotations

import pytest

from core.ports import NullDispatcher
from tests.webapp.actions import PortalActions
from webapp import create_app, jobs
from webapp.optional import optional_attr


def test_platform_blueprints_are_registered_and_store_posts_skip_csrf(
    monkeypatch, engine, dispatcher
):
    monkeypatch.setattr(
        "webapp.PLATFORM_BLUEPRINTS",
        (("tests.webapp.fake_platform", True), ("webapp.webhooks.not_written_yet", True)),
    )
    app = create_app({"DATABASE_ENGINE": engine, "DISPATCHER": dispatcher})
    assert "fake_platform" in app.blueprints
    assert app.test_client().post("/fake-platform/deliveries", data="{}").status_code == 200
    # The portal's own forms still need their token.
    assert app.test_client().post("/admin/login", data={}).status_code == 400


def test_a_missing_part_is_none_but_a_broken_one_raises(tmp_path, monkeypatch):
    assert optional_attr("webapp.not_written_yet", "bp") is None
    assert optional_attr("no_such_package.cli", "command") is None
    (tmp_path / "half_written_part.py").write_text("import reshelf_missing_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="reshelf_missing_dependency"):
        optional_attr("half_written_part", "bp")


def test_the_dispatcher_falls_back_to_null_without_the_worker(monkeypatch, engine):
    monkeypatch.setattr(jobs, "optional_attr", lambda module, name: None)
    assert isinstance(jobs.build_dispatcher(engine), NullDispatcher)


def test_the_dispatcher_is_the_workers_when_installed(engine):
    rq_dispatcher = optional_attr("worker.dispatch", "RQDispatcher")
    if rq_dispatcher is None:
        pytest.skip("worker.dispatch is not installed in this copy")
    assert isinstance(jobs.build_dispatcher(engine), rq_dispatcher)


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
