"""Fixtures of the worker suite: a fake store behind the worker context, a dispatcher."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from core.clock import FrozenClock
from core.ports import RecordingDispatcher
from tests.worker.fakes import FakeStore
from worker.context import WorkerContext, use_context
from worker.dispatch import RQDispatcher


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def followups() -> RecordingDispatcher:
    """What jobs dispatched in turn (return syncs after an expiry, for example)."""
    return RecordingDispatcher()


@pytest.fixture(autouse=True)
def worker_context(
    engine: Engine, clock: FrozenClock, store: FakeStore, followups: RecordingDispatcher
) -> Iterator[WorkerContext]:
    """Jobs run in these tests see the test database, the frozen clock and the fake store
    (tests against an emulator put their own context on top with ``use_context``)."""
    context = WorkerContext(
        engine=engine, clock=clock, connector_for=store.connector, dispatcher=followups
    )
    with use_context(context):
        yield context


@pytest.fixture
def rq_dispatcher(engine: Engine, redis_conn, store: FakeStore, worker_context) -> RQDispatcher:
    return RQDispatcher(engine=engine, connection=redis_conn)
