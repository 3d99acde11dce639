"""The schedule (``rq cron``): what runs periodically, and the thread that enqueues it.

Every ``reshelf worker`` process runs a ``CronThread``; a Redis lease makes only one of
them the leader at a time, so each scheduled job is enqueued once however many workers
run, and another worker takes over within a lease when the leader dies.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from redis import Redis
from redis.exceptions import LockError, RedisError
from rq.cron import CronScheduler
from rq.utils import import_attribute

from worker.jobs_table import JOBS

log = logging.getLogger(__name__)

# (function, queue, seconds between runs) for every job the table gives an interval. RQ's
# cron wants the function itself; it is resolved from its path as a worker resolves a job.
SCHEDULE: tuple[tuple[Callable[[], Any], str, int], ...] = tuple(
    (import_attribute(spec.func), spec.queue, spec.every) for spec in JOBS.values() if spec.every
)


def build_cron(connection: Redis) -> CronScheduler:
    """A CronScheduler with Reshelf's schedule registered."""
    cron = CronScheduler(connection=connection, logging_level=logging.WARNING)
    for func, queue_name, every in SCHEDULE:
        cron.register(func, queue_name, interval=every, result_ttl=3600)
    return cron


class CronThread:
    """Enqueues the schedule's due jobs from a daemon thread while this process leads."""

    LEASE_SECONDS = 120

    def __init__(self, connection: Redis) -> None:
        self.cron = build_cron(connection)
        # Made here, used only by the cron thread: the token must not be thread-local.
        self._lease = connection.lock(
            "reshelf:cron-leader", timeout=self.LEASE_SECONDS, thread_local=False
        )
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reshelf-cron", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self, timeout: float = 5) -> None:
        """Stop the thread and give up the lease."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        # CronScheduler.start() installs signal handlers, which only the main thread may do,
        # and the main thread runs the worker; so this loop drives its public steps instead.
        while not self._stopping.is_set():
            try:
                if self._lead():
                    if self.cron.enqueue_jobs():
                        self.cron.save()
                    self.cron.heartbeat()
                pause = self.cron.calculate_sleep_interval()
            except RedisError as exc:
                # Redis is away: the schedule resumes when it answers (the worker waits too).
                log.warning("cron could not reach Redis (%s); retrying", exc)
                pause = 5
            self._stopping.wait(min(max(pause, 1), self.LEASE_SECONDS / 3))
        try:
            if self._lease.owned():
                self._lease.release()
        except RedisError:
            pass  # the lease expires on its own

    def _lead(self) -> bool:
        """Hold (or renew) the leader lease; False while another process holds it."""
        try:
            if self._lease.owned():
                return bool(self._lease.reacquire())
            return bool(self._lease.acquire(blocking=False))
        except LockError:  # the lease vanished (Redis restarted): try again next round
            log.warning("cron leader lease lost; retrying")
            return False
