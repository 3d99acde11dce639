"""Running workers: ``reshelf worker`` processes, and the embedded thread of ``reshelf serve``.

A worker process listens to the queues in priority order, runs RQ's scheduler (due
retries) and, if no other process holds the cron lease, the schedule. SIGTERM is RQ's warm
shutdown: the current job finishes, then the process exits.

The process outlives Redis: RQ's work loop retries a failed dequeue, but any other Redis
call that fails (maintenance, a heartbeat, a job's bookkeeping) ends the loop ("unhandled
exception, quitting"). ``run_worker`` is the loop's supervisor: it waits for Redis with a
capped exponential backoff, sweeps what the database says is pending (deliveries stored
while Redis was away), and starts a fresh RQ worker. Only SIGTERM/SIGINT end it.

Without a Redis server (embedded mode) the queues live in the process's memory, so jobs
run in a thread of the process that enqueues them (``start_embedded_worker``).
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass
from types import FrameType

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
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


# RQ expires a worker's registration this long after its last heartbeat; an idle worker
# beats every WORKER_TTL - 15 s, so /healthz calls a worker stale after STALE_AFTER.
WORKER_TTL = 60
STALE_AFTER = 2 * WORKER_TTL
# Waits between reconnection attempts: doubling from the first, never above the cap.
BACKOFF_FIRST, BACKOFF_CAP = 0.5, 5.0
# A job a killed worker took off its queue is only marked by the first sweep and found by
# the next one (``worker.abandoned``); this one comes seconds after a start, not a minute.
SECOND_SWEEP_AFTER = 5.0
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


class ReshelfWorker(SimpleWorker):
    """RQ's SimpleWorker that also tells its supervisor when a stop was asked for."""

    stopping = threading.Event()  # one per process: a signal stops every round

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        """Remember the stop for the supervisor, then RQ's warm shutdown."""
        self.stopping.set()
        super().request_stop(signum, frame)  # type: ignore[no-untyped-call]  # RQ's, untyped


def run_worker(queues: list[str] | None, burst: bool) -> None:
    """Work the queues until SIGTERM (or, with ``burst``, until they are empty)."""
    configure_logging()
    connection = redis_connection()
    names = parse_queue_names(queues)
    if get_settings().embedded_queue and not burst:
        # No Redis server: the scheduler RQ forks for retries could not see this process's
        # in-memory queues, so run the embedded loop, whose scheduler stays in-process.
        sweep(connection)
        _run_embedded_until_sigterm()
        return
    cron = None if burst else CronThread(connection)
    if cron is not None:
        cron.start()
    try:
        _supervise(connection, names, burst)
    finally:
        if cron is not None:
            cron.stop()


def _supervise(connection: Redis, names: list[str], burst: bool) -> None:
    """Run RQ's work loop again after every Redis failure, until a stop or a burst's end."""
    stopping = ReshelfWorker.stopping
    pause = BACKOFF_FIRST
    while not stopping.is_set():
        try:
            # The database is the record: what was stored while no worker could take it
            # (before this start, or while Redis was away) is enqueued again first.
            swept = sweep(connection)
            log.info("worker starting on %s; re-enqueued %d pending jobs", ",".join(names), swept)
            pause = BACKOFF_FIRST
            _sweep_again_later(connection)
            # SimpleWorker runs jobs in this process: they are short and wait on the network,
            # and forking a work horse per job cost more than the job (1,000 restocks took
            # three times as long), while one process keeps its database pool and HTTP
            # connections. A hung job is still stopped by its timeout (SIGALRM); a crashed
            # process is restarted by its supervisor and the sweeper re-enqueues what it held.
            # A fresh name each round: the last round's registration may outlive it in Redis.
            worker = ReshelfWorker(
                names, connection=connection, name=worker_name(), worker_ttl=WORKER_TTL
            )
            worker.work(burst=burst, with_scheduler=True)
        except REDIS_DOWN as exc:
            log.warning("Redis is unreachable (%s); retrying in %.1fs", exc, pause)
        else:
            if burst or stopping.is_set() or worker._stop_requested:
                return
            # RQ's loop ended on an error it logged: if Redis is down, wait for it below.
            log.warning("the work loop ended without a stop; starting it again")
        _catch_stops_between_rounds()
        pause = _wait_for_redis(connection, pause)


def _sweep_again_later(connection: Redis) -> None:
    """Sweep once more, from a daemon thread, ``SECOND_SWEEP_AFTER`` seconds from now."""

    def again() -> None:
        try:
            sweep(connection)
        except REDIS_DOWN as exc:  # the next start, or the scheduled sweep, does it
            log.warning("second sweep skipped: %s", exc)

    timer = threading.Timer(SECOND_SWEEP_AFTER, again)
    timer.daemon = True
    timer.start()


def _catch_stops_between_rounds() -> None:
    """Between RQ loops the signals stop the supervisor (RQ's handler expects a live loop)."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: ReshelfWorker.stopping.set())


def _wait_for_redis(connection: Redis, pause: float) -> float:
    """Sleep with capped exponential backoff until Redis answers (or a stop); the next pause."""
    stopping = ReshelfWorker.stopping
    while not stopping.wait(pause):
        pause = min(pause * 2, BACKOFF_CAP)
        try:
            connection.ping()
        except REDIS_DOWN as exc:
            log.warning("Redis is still unreachable (%s); retrying in %.1fs", exc, pause)
            continue
        log.info("Redis answers again; resuming")
        return pause
    return pause


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
