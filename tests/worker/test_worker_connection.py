"""The worker's Redis connection outlasts an idle worker's blocking wait for work."""

from __future__ import annotations

import os

import pytest

from worker.queues import RESTOCK, redis_connection
from worker.runner import WORKER_TTL, ReshelfWorker

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: read timeouts are a socket's"
)


def test_a_connection_used_before_the_worker_is_built_still_waits_out_a_blocking_read():
    connection = redis_connection()
    connection.ping()  # as the sweeper does at start: the pool's connection exists already
    worker = ReshelfWorker([RESTOCK], connection=connection, worker_ttl=WORKER_TTL)
    connection.delete("reshelf-test-empty")

    # redis-py 8 gave such a connection a 5 s read timeout, so the worker's BLPOP failed
    # and it backed off for up to a minute. 6 s is past that and far below RQ's own bound.
    assert worker.dequeue_timeout > 6
    assert connection.blpop(["reshelf-test-empty"], timeout=6) is None
