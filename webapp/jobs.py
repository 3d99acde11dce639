"""The job dispatcher the web app hands to core services.

With the worker installed, jobs go to RQ (real Redis, or the embedded in-process queue
when no ``REDIS_URL`` is set). Until ``worker.dispatch`` exists the app falls back to
``NullDispatcher``: nothing is lost, because the worker's sweeper finds pending rows in
the database.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app
from sqlalchemy import Engine

from core.ports import JobDispatcher, NullDispatcher
from webapp.optional import optional_attr

log = logging.getLogger(__name__)


def init_jobs(app: Flask) -> None:
    """Attach the dispatcher: the one in ``DISPATCHER`` (tests), else RQ's, else a null one."""
    dispatcher: JobDispatcher | None = app.config.get("DISPATCHER")
    if dispatcher is None:
        dispatcher = build_dispatcher(app.extensions["reshelf.engine"])
    app.extensions["reshelf.dispatcher"] = dispatcher


def build_dispatcher(engine: Engine) -> JobDispatcher:
    """The worker's RQ dispatcher on ``engine``, or ``NullDispatcher`` without the worker."""
    rq_dispatcher = optional_attr("worker.dispatch", "RQDispatcher")
    if rq_dispatcher is None:
        log.warning("worker.dispatch is not installed; jobs wait for the sweeper")
        return NullDispatcher()
    built: JobDispatcher = rq_dispatcher(engine=engine)
    return built


def get_dispatcher() -> JobDispatcher:
    """The current app's dispatcher."""
    dispatcher: JobDispatcher = current_app.extensions["reshelf.dispatcher"]
    return dispatcher
