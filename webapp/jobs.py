"""The job dispatcher the web app hands to core services.

Jobs go to the worker's RQ dispatcher (real Redis, or the embedded in-process queue when
no ``REDIS_URL`` is set). When enqueuing fails nothing is lost: the worker's sweeper finds
pending rows in the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import Engine

from core.ports import JobDispatcher, JobKind
from worker.dispatch import RQDispatcher

log = logging.getLogger(__name__)

# Seconds a web process gathers inbox rings for before one push to Redis announces them
# all (``worker.inbox_relay``): a delivery's job waits at most this much longer, and a
# burst of deliveries costs a fraction of the round trips.
GATHER_RINGS = 0.01


def init_jobs(app: Flask) -> None:
    """Attach the dispatcher: the one in ``DISPATCHER`` (tests), else the worker's."""
    dispatcher: JobDispatcher | None = app.config.get("DISPATCHER")
    if dispatcher is None:
        dispatcher = build_dispatcher(app.extensions["reshelf.engine"])
    app.extensions["reshelf.dispatcher"] = CommittedWorkDispatcher(dispatcher)


def build_dispatcher(engine: Engine) -> RQDispatcher:
    """The worker's RQ dispatcher on ``engine``."""
    return RQDispatcher(engine=engine, gather_rings=GATHER_RINGS)


@dataclass(frozen=True)
class CommittedWorkDispatcher:
    """Dispatches through ``inner``, logging instead of raising when enqueuing fails.

    Services dispatch only after their commit, so the work is already recorded; the
    worker's sweeper re-enqueues pending rows. Failing the request here would show the
    shopper an error for a return that was in fact made.
    """

    inner: JobDispatcher

    def dispatch(self, kind: JobKind, object_id: int) -> None:
        """Enqueue; on any failure (Redis down, worker misconfigured) log it and go on."""
        try:
            self.inner.dispatch(kind, object_id)
        except Exception:
            log.exception("could not enqueue %s %s; the sweeper will pick it up", kind, object_id)


def get_dispatcher() -> JobDispatcher:
    """The current app's dispatcher."""
    dispatcher: JobDispatcher = current_app.extensions["reshelf.dispatcher"]
    return dispatcher
