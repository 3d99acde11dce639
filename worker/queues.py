"""Queue names by urgency and the Redis connection every part of the worker shares."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

import fakeredis
from redis import Redis
from rq import Queue

from core.config import get_settings

WEBHOOKS = "webhooks"  # inbox processing: the mirror should follow the store within seconds
RESTOCK = "restock"  # ledger movements, refunds, order updates on the store
SYNC = "sync"  # backfill and reconciliation
NOTIFY = "notify"  # email
DEFAULT = "default"

# The order a worker listens in: earlier queues are always emptied first.
PRIORITY = (WEBHOOKS, RESTOCK, SYNC, NOTIFY, DEFAULT)

_embedded: Redis | None = None
_embedded_lock = threading.Lock()


def redis_connection() -> Redis:
    """Redis from ``REDIS_URL``, or in embedded mode one in-process fakeredis per process."""
    url = get_settings().redis_url
    if url:
        return _client_for(url)
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            # One server for the whole process, so the web threads that enqueue and the
            # embedded worker thread that runs the jobs see the same queues.
            _embedded = fakeredis.FakeRedis(server=fakeredis.FakeServer())
        return _embedded


@lru_cache(maxsize=4)
def _client_for(url: str) -> Redis:
    """One client (and connection pool) per URL per process; redis-py resets it after fork.

    No read timeout: redis-py 8 reads with a 5 s one by default, and a connection made
    before RQ raises it (the sweeper's, at start) keeps it, so an idle worker's 45 s BLPOP
    failed and the worker backed off for up to a minute. RQ bounds its own blocking reads.
    """
    return Redis.from_url(url, socket_timeout=None)


def get_queue(name: str, connection: Redis | None = None, **kwargs: Any) -> Queue:
    """The named queue on the shared connection."""
    if name not in PRIORITY:
        raise ValueError(f"unknown queue {name!r}; expected one of {', '.join(PRIORITY)}")
    return Queue(name, connection=connection or redis_connection(), **kwargs)


class QueueCache:
    """Queues by name on one connection, each made once: a new ``Queue`` asks Redis for its
    version (``INFO``), a round trip that enqueueing on the webhook path must not pay."""

    def __init__(self, connection: Redis) -> None:
        self.connection = connection
        self._queues: dict[str, Queue] = {}

    def get(self, name: str) -> Queue:
        """The named queue, made on first use."""
        if name not in self._queues:
            self._queues[name] = get_queue(name, self.connection)
        return self._queues[name]


def parse_queue_names(names: list[str] | None) -> list[str]:
    """Validate a ``--queues`` choice, keeping the priority order; None means all of them."""
    if not names:
        return list(PRIORITY)
    unknown = sorted(set(names) - set(PRIORITY))
    if unknown:
        raise ValueError(f"unknown queue(s) {', '.join(unknown)}; expected {', '.join(PRIORITY)}")
    return [name for name in PRIORITY if name in names]
