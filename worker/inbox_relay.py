"""The inbox doorbell: how a webhook's acknowledgement hands its delivery to the worker.

Acknowledging a delivery must cost as little as possible: stores send them in bursts and
wait seconds at most. So the acknowledgement only pushes the delivery's id onto a Redis
list (one command, ``ring``); the push that finds the list empty also enqueues a relay job.
The relay (``relay_job``, run by a worker) pops the ids and enqueues each delivery's own
job, ``inbox-<id>``, as RQ's unique enqueue: retries, the failed-job registry and replay
stay per delivery, as for every other kind of work, while building an RQ job (a hash of a
dozen fields and a Lua script, several times the cost of the INSERT before it) happens
off the acknowledgement's path.

Several relays may run at once (each pop is atomic, each enqueue unique). Nothing is lost
when Redis loses the list or a relay dies holding popped ids: the database holds every
delivery, and the sweeper enqueues the job of each received delivery that has none, and a
relay for any list that no relay is draining.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

DOORBELL = "reshelf:inbox:doorbell"
POP_BATCH = 500
_STARTING = threading.Lock()


def ring(connection: Redis, *delivery_ids: int) -> bool:
    """Announce stored deliveries; True when no relay is on its way and one must be enqueued
    (the list was empty before them)."""
    return int(connection.rpush(DOORBELL, *delivery_ids)) == len(delivery_ids)


class GatheredRings:
    """A process's rings, gathered for ``gather`` seconds and handed to ``push`` together.

    ``add`` only appends to a list: a thread of this process sleeps until there is
    something to push, waits ``gather`` seconds more for company, then pushes it all. It
    is started on first use in each process (a forked web worker gets its own), and what
    is left is pushed when the process exits normally.
    """

    def __init__(self, push: Callable[[list[int]], None], gather: float) -> None:
        self._push = push
        self._gather = gather
        self._pid = -1  # the process whose thread pushes: none yet
        self._lock = threading.Lock()
        self._waiting: list[int] = []
        self._wake = threading.Event()

    def add(self, delivery_id: int) -> None:
        """Gather one delivery's ring; it is pushed within about ``gather`` seconds."""
        if self._pid != os.getpid():
            with _STARTING:  # two request threads of a new process: one thread, one list
                if self._pid != os.getpid():
                    self._start()
        with self._lock:
            self._waiting.append(delivery_id)
        self._wake.set()

    def flush(self) -> None:
        """Push every gathered ring now (a failure is logged: the sweeper enqueues them)."""
        if self._pid != os.getpid():
            return
        with self._lock:
            ids, self._waiting = self._waiting, []
        if not ids:
            return
        try:
            self._push(ids)
        except RedisError as exc:
            log.warning("could not ring for %d deliveries, the sweeper will: %s", len(ids), exc)

    def _start(self) -> None:
        # A forked child inherits the parent's lock and list, but not its thread.
        self._lock, self._waiting, self._wake = threading.Lock(), [], threading.Event()
        self._pid = os.getpid()
        threading.Thread(target=self._run, name="inbox-rings", daemon=True).start()
        atexit.register(self.flush)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(self._gather)
            self._wake.clear()
            self.flush()


def relay_job_id(delivery_id: int | None = None) -> str:
    """The relay rung for ``delivery_id``, or the sweeper's relay of this second."""
    return f"inbox-relay-{delivery_id}" if delivery_id else f"inbox-relay-at-{int(time.time())}"


def waiting(connection: Redis) -> int:
    """How many announced deliveries no relay has taken yet."""
    return int(connection.llen(DOORBELL))


def relay(connection: Redis | None = None) -> int:
    """Enqueue the job of every delivery on the doorbell list; return how many."""
    from worker.context import get_context
    from worker.dispatch import RQDispatcher
    from worker.queues import redis_connection

    dispatcher = RQDispatcher(get_context().engine, connection or redis_connection())
    relayed = 0
    while popped := dispatcher.connection.lpop(DOORBELL, POP_BATCH):
        for raw in popped:
            dispatcher.enqueue_delivery(int(raw))
        relayed += len(popped)
    log.info("relayed %d inbox deliveries", relayed)
    return relayed


def relay_job() -> int:
    """The relay, as the job a ring or the sweeper enqueues."""
    return relay()
