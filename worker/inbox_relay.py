"""From a stored webhook delivery to its job: ring, gather, relay, enqueue.

The path of a delivery, each step in one place:

1. verify — the view of its platform (``webapp/webhooks/``);
2. store — ``core.inbox.Inbox.store``: one ``INSERT … ON CONFLICT DO NOTHING RETURNING id``;
3. ring — ``RQDispatcher.dispatch("inbox", id)`` hands the id to this process's
   ``Doorbell``, which gathers rings for a moment (``GatheredRings``) and pushes them onto
   a Redis list with one ``RPUSH`` (``ring``); the push that finds the list empty also
   enqueues a relay job (``Doorbell.push``);
4. relay — ``relay_job``, run by a worker, pops the ids (``relay``) ...
5. enqueue — ... and enqueues each delivery's own job, ``inbox-<id>``, with RQ's unique
   enqueue (``Doorbell.enqueue_delivery``); that job applies it to the mirror
   (``worker.jobs.process_delivery_job``).

Why a doorbell: acknowledging a delivery must cost as little as possible (stores send them
in bursts and wait seconds at most), and building an RQ job (a hash of a dozen fields and
a Lua script, several times the cost of the INSERT before it) is kept off that path, while
retries, the failed-job registry and replay stay per delivery, as for every other job.

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
from rq.exceptions import DuplicateJobError
from rq.job import Job

from worker.jobs_table import FAILURE_TTL, JOB_TIMEOUT, JOBS
from worker.queues import QueueCache, redis_connection

log = logging.getLogger(__name__)

DOORBELL = "reshelf:inbox:doorbell"
POP_BATCH = 500
_STARTING = threading.Lock()


def ring(connection: Redis, *delivery_ids: int) -> bool:
    """Announce stored deliveries; True when no relay is on its way and one must be enqueued
    (the list was empty before them)."""
    return int(connection.rpush(DOORBELL, *delivery_ids)) == len(delivery_ids)


class Doorbell:
    """One process's side of the doorbell: rings deliveries, enqueues relays and their jobs.

    ``gather``: seconds the rings are gathered for before one push announces them all
    (``GatheredRings``); 0 pushes each at once.
    """

    def __init__(self, connection: Redis, gather: float = 0.0) -> None:
        self.connection = connection
        self._queues = QueueCache(connection)
        self._rings = GatheredRings(self.push, gather) if gather else None

    def ring(self, delivery_id: int) -> None:
        """Announce a stored delivery, at once or with the others gathered with it."""
        if self._rings is not None:
            self._rings.add(delivery_id)
        else:
            self.push([delivery_id])

    def push(self, delivery_ids: list[int]) -> None:
        """Announce stored deliveries; the first onto an empty doorbell brings a relay."""
        if ring(self.connection, *delivery_ids):
            self.enqueue_relay(relay_job_id(delivery_ids[0]))

    def enqueue_relay(self, job_id: str) -> Job | None:
        """Enqueue a relay of the doorbell under ``job_id``, or nothing if it exists."""
        return self._enqueue_unique("inbox-relay", job_id, ())

    def enqueue_delivery(self, delivery_id: int) -> Job | None:
        """Enqueue a stored delivery's job (the relay's step), or nothing if it has one."""
        return self._enqueue_unique("inbox", f"inbox-{delivery_id}", (delivery_id,))

    def relay(self) -> int:
        """Enqueue the job of every delivery on the doorbell list; return how many."""
        relayed = 0
        while popped := self.connection.lpop(DOORBELL, POP_BATCH):
            for raw in popped:
                self.enqueue_delivery(int(raw))
            relayed += len(popped)
        log.info("relayed %d inbox deliveries", relayed)
        return relayed

    def _enqueue_unique(self, name: str, job_id: str, args: tuple[int, ...]) -> Job | None:
        """Enqueue a job that is not paced per shop in one atomic step, or do nothing.

        It asks neither the database nor a lock: without a rate limit, RQ's ``unique=True``
        checks and enqueues atomically.
        """
        spec = JOBS[name]
        try:
            job = self._queues.get(spec.queue).enqueue_call(
                spec.func,
                args=args,
                job_id=job_id,
                retry=spec.retry,
                unique=True,
                timeout=JOB_TIMEOUT,
                failure_ttl=FAILURE_TTL,
                description=job_id,
            )
        except DuplicateJobError:
            return None
        log.info("enqueued %s", job_id, extra={"job_id": job_id})
        return job


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
        """Start this process's pushing thread (a forked child inherits none)."""
        # A forked child inherits the parent's lock and list, but not its thread.
        self._lock, self._waiting, self._wake = threading.Lock(), [], threading.Event()
        self._pid = os.getpid()
        threading.Thread(target=self._run, name="inbox-rings", daemon=True).start()
        atexit.register(self.flush)

    def _run(self) -> None:
        """Wait for a ring, then for company, then push them all; for ever."""
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
    return Doorbell(connection or redis_connection()).relay()


def relay_job() -> int:
    """The relay, as the job a ring or the sweeper enqueues."""
    return relay()
