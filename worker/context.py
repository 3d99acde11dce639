"""What a job needs from its process: the database, the clock, connectors, a dispatcher.

Jobs read these from one place so a test can swap in a fake connector or a frozen clock
(Cosmic Python's dependency injection, without a framework), while a worker process
builds them once from the settings.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session

import connectors
from core.clock import Clock, SystemClock
from core.config import get_settings
from core.db import engine_for, session_factory
from core.ports import JobDispatcher
from worker.dispatch import ConnectorFactory, RQDispatcher


@dataclass
class WorkerContext:
    """The collaborators jobs are given."""

    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    connector_for: ConnectorFactory = connectors.connector_for
    dispatcher: JobDispatcher | None = None

    def session(self) -> Session:
        """A new session; the caller closes it."""
        return session_factory(self.engine)()

    def job_dispatcher(self) -> JobDispatcher:
        """Where jobs enqueue follow-up work (the RQ dispatcher unless a test set one)."""
        if self.dispatcher is None:
            self.dispatcher = RQDispatcher(engine=self.engine)
        return self.dispatcher


_current: WorkerContext | None = None


def get_context() -> WorkerContext:
    """The process's context, built from the settings on first use."""
    global _current
    if _current is None:
        _current = WorkerContext(engine=engine_for(get_settings().database_url))
    return _current


def _forget_inherited_connections() -> None:
    """In a forked work horse, drop the parent's pooled connections without closing them.

    A database connection must never be shared across processes (SQLAlchemy's "using
    connection pools with multiprocessing"); the horse opens its own.
    """
    if _current is not None:
        _current.engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


@contextmanager
def use_context(context: WorkerContext) -> Iterator[WorkerContext]:
    """Run the block (and any job run inside it) with ``context``; restore the old one after."""
    global _current
    saved, _current = _current, context
    try:
        yield context
    finally:
        _current = saved
