"""Running workers: ``reshelf worker`` processes, and the embedded thread of ``reshelf serve``.

A worker process listens to the queues in priority order, runs RQ's scheduler (due
retries) and, if no other process holds the cron lease, the schedule. SIGTERM is RQ's warm
shutdown: the current job finishes, then the process exits.
"""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import dataclass

from rq import SimpleWorker, Worker
from rq.timeouts import TimerDeathPenalty

from core.config import get_settings
from worker.abandoned import worker_name
from worker.logs import configure_logging
from worker.queues import parse_queue_names, redis_connection
from worker.schedule import CronThread
from worker.sweeper import sweep

log = logging.getLogger(__name__)


class ThreadWorker(SimpleWorker):
    """A SimpleWorker that can live off the main thread: timer timeouts, no signal handlers."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        # signal.signal() only works on the main thread; the serving process owns signals.
        return None


# Imported once in the worker process, so each forked work horse starts with them loaded
# instead of importing the jobs and the connectors again for every job (a tenth of a second).
PRELOAD = (
    "worker.jobs",
    "worker.reconcile",
    "worker.scheduled",
    "connectors.shopify.connector",
    "connectors.woocommerce.connector",
)


def preload_job_modules() -> None:
    """Import what jobs use; a module that fails to import is reported by its jobs too."""
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            log.warning("could not preload %s: %s", name, exc)


def run_worker(queues: list[str] | None, burst: bool) -> None:
    """Work the queues until SIGTERM (or, with ``burst``, until they are empty)."""
    configure_logging()
    preload_job_modules()
    connection = redis_connection()
    names = parse_queue_names(queues)
    swept = sweep(connection)  # work left pending while no worker ran (or Redis was emptied)
    log.info("worker starting on %s; re-enqueued %d pending jobs", ",".join(names), swept)
    cron = None if burst else CronThread(connection)
    if cron is not None:
        cron.start()
    # Forked work horses would each get a copy of an in-process fakeredis and their results
    # would vanish with them; without a Redis server, jobs run in the worker process itself.
    worker_class = ThreadWorker if get_settings().embedded_queue else Worker
    try:
        worker = worker_class(names, connection=connection, name=worker_name())
        worker.work(burst=burst, with_scheduler=True)
    finally:
        if cron is not None:
            cron.stop()


@dataclass
class EmbeddedWorker:
    """Jobs run in a background thread of the serving process (no Redis configured)."""

    thread: threading.Thread
    stopping: threading.Event
    cron: CronThread

    def stop(self, timeout: float = 10) -> None:
        """Ask the thread to finish its current job and wait for it."""
        self.stopping.set()
        self.cron.stop()
        self.thread.join(timeout)


def start_embedded_worker(poll_seconds: float = 0.5) -> EmbeddedWorker:
    """Start working the in-process queues in a daemon thread; returns a handle to stop it."""
    connection = redis_connection()
    stopping = threading.Event()
    worker = ThreadWorker(parse_queue_names(None), connection=connection, name=worker_name())
    cron = CronThread(connection)

    def loop() -> None:
        sweep(connection)
        while not stopping.is_set():
            # Burst runs return when the queues are empty, so the thread can notice `stopping`;
            # one worker object is reused, so RQ's maintenance keeps its own interval.
            worker.work(burst=True, with_scheduler=True, logging_level="WARNING")
            stopping.wait(poll_seconds)

    thread = threading.Thread(target=loop, name="reshelf-embedded-worker", daemon=True)
    thread.start()
    cron.start()
    return EmbeddedWorker(thread, stopping, cron)
