"""Running workers: ``reshelf worker`` processes, and the embedded thread of ``reshelf serve``.

A worker process listens to the queues in priority order, runs RQ's scheduler (due
retries) and, if no other process holds the cron lease, the schedule. SIGTERM is RQ's warm
shutdown: the current job finishes, then the process exits.

Without a Redis server (embedded mode) the queues live in the process's memory, so jobs
run in a thread of the process that enqueues them (``start_embedded_worker``).
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass

from rq import SimpleWorker
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


def run_worker(queues: list[str] | None, burst: bool) -> None:
    """Work the queues until SIGTERM (or, with ``burst``, until they are empty)."""
    configure_logging()
    connection = redis_connection()
    names = parse_queue_names(queues)
    swept = sweep(connection)  # work left pending while no worker ran (or Redis was emptied)
    log.info("worker starting on %s; re-enqueued %d pending jobs", ",".join(names), swept)
    if get_settings().embedded_queue and not burst:
        # No Redis server: the scheduler RQ forks for retries could not see this process's
        # in-memory queues, so run the embedded loop, whose scheduler stays in-process.
        _run_embedded_until_sigterm()
        return
    cron = None if burst else CronThread(connection)
    if cron is not None:
        cron.start()
    try:
        # SimpleWorker runs jobs in this process: they are short and wait on the network,
        # and forking a work horse per job cost more than the job (1,000 restocks took three
        # times as long), while one process keeps its database pool and HTTP connections.
        # A hung job is still stopped by its timeout (SIGALRM); a crashed process is
        # restarted by its supervisor and the sweeper re-enqueues what it held.
        worker = SimpleWorker(names, connection=connection, name=worker_name())
        worker.work(burst=burst, with_scheduler=True)
    finally:
        if cron is not None:
            cron.stop()


def _run_embedded_until_sigterm() -> None:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    embedded = start_embedded_worker()
    stop.wait()
    embedded.stop()


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
