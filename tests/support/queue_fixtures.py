"""Queue fixtures: real Redis when ``REDIS_URL`` is set, the embedded fakeredis otherwise.

Owned by the worker suite; loaded for every test through ``pytest_plugins`` in conftest.
``run_jobs()`` runs every queued job in the test process, retries and paced jobs
included, until nothing is left: what a worker would do, without a second process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from redis import Redis
from rq.rate_limit import RateLimitRegistry


@pytest.fixture
def redis_conn(_environment: None) -> Iterator[Any]:
    """The connection the worker code uses, emptied before and after the test."""
    from worker.queues import redis_connection

    conn = redis_connection()
    conn.flushdb()
    yield conn
    conn.flushdb()


def queues_idle(connection: Redis) -> bool:
    """True when no job is queued, running, waiting for a retry or held back by pacing."""
    from worker.queues import PRIORITY, get_queue

    for name in PRIORITY:
        queue = get_queue(name, connection)
        if queue.count or queue.started_job_registry.get_job_count():
            return False
        if queue.scheduled_job_registry.get_job_count():
            return False
    return not any(r.get_rate_limited_job_count() for r in RateLimitRegistry.all(connection))


def drain(connection: Redis, timeout: float = 30.0) -> int:
    """Run jobs in this process until the queues are idle; return how many rounds it took."""
    from worker.queues import PRIORITY
    from worker.runner import ThreadWorker

    worker = ThreadWorker(list(PRIORITY), connection=connection)
    deadline = time.monotonic() + timeout
    rounds = 0
    while True:
        rounds += 1
        worker.work(burst=True, with_scheduler=True, logging_level="WARNING")
        if queues_idle(connection):
            return rounds
        if time.monotonic() > deadline:
            raise AssertionError(f"jobs still pending after {timeout} s")
        time.sleep(0.1)


@pytest.fixture
def run_jobs(redis_conn: Redis) -> Callable[..., int]:
    """``run_jobs(timeout=30)``: run queued jobs here until none is left."""

    def run(timeout: float = 30.0) -> int:
        return drain(redis_conn, timeout)

    return run
