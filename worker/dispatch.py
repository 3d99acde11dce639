"""``RQDispatcher``: core's ``JobDispatcher`` on RQ, one job per piece of committed work.

Job ids are deterministic (``restock-<movement id>``, ``settle-<id>``, ``inbox-<id>``,
``return-sync-<id>-<status change number>``), so dispatching twice queues once. Jobs
that call the store are paced per shop with RQ's ``RateLimit`` (the connector's
``max_concurrency``). A webhook being acknowledged only rings the inbox doorbell
(``worker.inbox_relay``); the relay then enqueues ``inbox-<id>`` with RQ's ``unique=True``,
atomic and without a database lookup. RQ refuses ``unique=True`` for rate-limited jobs, so
for those, and for the sweeper's replacing of a dead job, the existence check and the
enqueue happen under a short Redis lock per job id instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import cast

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import DuplicateJobError
from rq.job import Job, JobStatus
from rq.rate_limit import RateLimit
from rq.utils import as_text
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from connectors import connector_class
from core.config import get_settings
from core.db import engine_for, session_factory
from core.models import InboxDelivery, ReturnEvent, ReturnRequest, Settlement, Shop, StockMovement
from core.ports import JobKind
from worker import inbox_relay, queues
from worker.abandoned import discard, is_lost, worker_is_gone
from worker.context import ConnectorFactory
from worker.retry import RAISED

log = logging.getLogger(__name__)

# A job that ended while its row is still pending did not do the work: the sweeper may
# replace it. Not a failed one: it waits in the failed registry for a person to replay it
# (a fatal error, or a store that refused for hours), and it is replaced only if it expires.
ENDED = {JobStatus.FINISHED, JobStatus.STOPPED, JobStatus.CANCELED}
JOB_TIMEOUT = 120  # seconds; a store call that takes longer is treated as failed
FAILURE_TTL = 30 * 24 * 3600  # failed jobs stay replayable for a month


@dataclass(frozen=True)
class JobSpec:
    """How one kind of work runs: which function, on which queue, under which id."""

    func: str
    queue: str
    prefix: str
    calls_store: bool  # paced per shop


SPECS: dict[JobKind, JobSpec] = {
    "movement": JobSpec("worker.jobs.apply_movement_job", queues.RESTOCK, "restock", True),
    "settlement": JobSpec("worker.jobs.apply_settlement_job", queues.RESTOCK, "settle", True),
    "return_sync": JobSpec("worker.jobs.push_return_job", queues.RESTOCK, "return-sync", True),
    "inbox": JobSpec("worker.jobs.process_delivery_job", queues.WEBHOOKS, "inbox", False),
    "backfill": JobSpec("worker.backfills.backfill_job", queues.SYNC, "backfill", False),
}

Owned = StockMovement | Settlement | ReturnRequest | InboxDelivery | Shop
_OWNER: dict[JobKind, type[Owned]] = {
    "movement": StockMovement,
    "settlement": Settlement,
    "return_sync": ReturnRequest,
    "inbox": InboxDelivery,
    "backfill": Shop,
}


def job_id_for(session: Session, kind: JobKind, object_id: int) -> str:
    """The deterministic id of the job for this work (letters, digits, ``_`` and ``-``)."""
    spec = SPECS[kind]
    if kind == "return_sync":
        # One push per status change: a later change must not be swallowed by the earlier job.
        changes = session.scalar(
            select(func.count(ReturnEvent.id)).where(
                ReturnEvent.return_id == object_id, ReturnEvent.kind == "status"
            )
        )
        return f"{spec.prefix}-{object_id}-{changes or 0}"
    return f"{spec.prefix}-{object_id}"


class RQDispatcher:
    """Enqueues jobs on RQ after the database commit that recorded their work."""

    def __init__(
        self,
        engine: Engine | None = None,
        connection: Redis | None = None,
        connector_for: ConnectorFactory | None = None,
        gather_rings: float = 0.0,
    ) -> None:
        """``gather_rings``: seconds the inbox rings of this process are gathered for before
        one push announces them all (``inbox_relay.GatheredRings``); 0 pushes each at once."""
        self.engine = engine or engine_for(get_settings().database_url)
        self.connection = connection or queues.redis_connection()
        self._connector_for = connector_for
        self._rings = (
            inbox_relay.GatheredRings(self._push_rings, gather_rings) if gather_rings else None
        )
        self._concurrency_by_shop: dict[int, int] = {}
        self._queues: dict[str, Queue] = {}

    def dispatch(self, kind: JobKind, object_id: int) -> None:
        """Queue the job for this work unless a job with its id already exists."""
        try:
            self.ensure(kind, object_id, replace_dead=False)
        except RedisError as exc:
            # The work is committed; the sweeper enqueues it once Redis is back. The caller
            # (a merchant grading a line, a webhook being acknowledged) need not fail for it.
            log.warning("could not enqueue %s %s, the sweeper will: %s", kind, object_id, exc)

    def ensure(self, kind: JobKind, object_id: int, *, replace_dead: bool) -> Job | None:
        """Enqueue the work's job; with ``replace_dead`` also replace one that ended or was
        abandoned (the sweeper's case: the row is still pending, so that job did not do it)."""
        spec = SPECS[kind]
        if kind == "inbox" and not replace_dead:
            self._ring(object_id)  # a webhook being acknowledged: the relay enqueues its job
            return None
        if kind != "return_sync" and self._held(f"{spec.prefix}-{object_id}", replace_dead):
            return None  # the common case, answered from Redis alone (the sweeper asks a lot)
        with session_factory(self.engine)() as session:
            owner = cast(Owned | None, session.get(_OWNER[kind], object_id))
            if owner is None:
                log.warning("no %s %s to dispatch", kind, object_id)
                return None
            job_id = job_id_for(session, kind, object_id)
            shop_id = owner.id if isinstance(owner, Shop) else owner.shop_id  # a backfill's row
            limit = self.rate_limit(session, shop_id) if spec.calls_store else None
        return self.enqueue_once(
            spec.func, spec.queue, job_id, (object_id,), limit,
            replace_dead=replace_dead, description=f"{kind} {object_id}",
        )  # fmt: skip

    def enqueue_once(
        self, func: str, queue_name: str, job_id: str, args: tuple[int, ...],
        limit: RateLimit | None, *, replace_dead: bool = False, description: str = "",
    ) -> Job | None:  # fmt: skip
        """Enqueue ``func(*args)`` as ``job_id`` unless that job exists; None if it did."""
        with self.connection.lock(f"reshelf:enqueue:{job_id}", timeout=30, blocking_timeout=30):
            if self._held(job_id, replace_dead):
                return None
            if self._status(job_id) is not None:
                discard(self.connection, job_id)
            job = self._queue(queue_name).enqueue_call(
                func,
                args=args,
                job_id=job_id,
                retry=RAISED,
                rate_limit=limit,
                timeout=JOB_TIMEOUT,
                failure_ttl=FAILURE_TTL,
                description=description or job_id,
            )
        log.info("enqueued %s", job_id, extra={"job_id": job_id})
        return job

    def enqueue_delivery(self, delivery_id: int) -> Job | None:
        """Enqueue a stored delivery's job (the relay's step), or nothing if it has one."""
        spec = SPECS["inbox"]
        return self._enqueue_unique(spec.func, spec.queue, f"{spec.prefix}-{delivery_id}",
                                    (delivery_id,))  # fmt: skip

    def enqueue_relay(self, job_id: str) -> Job | None:
        """Enqueue a relay of the inbox doorbell (``worker.inbox_relay``) under ``job_id``."""
        return self._enqueue_unique("worker.inbox_relay.relay_job", queues.WEBHOOKS, job_id, ())

    def _ring(self, delivery_id: int) -> None:
        """Announce a stored delivery, at once or with the others gathered with it."""
        if self._rings is not None:
            self._rings.add(delivery_id)
        else:
            self._push_rings([delivery_id])

    def _push_rings(self, delivery_ids: list[int]) -> None:
        """Announce stored deliveries; the first onto an empty doorbell brings a relay."""
        if inbox_relay.ring(self.connection, *delivery_ids):
            self.enqueue_relay(inbox_relay.relay_job_id(delivery_ids[0]))

    def _enqueue_unique(
        self, func: str, queue_name: str, job_id: str, args: tuple[int, ...]
    ) -> Job | None:
        """Enqueue work that is not paced per shop in one atomic step, or do nothing.

        It asks neither the database nor a lock: without a rate limit, RQ's ``unique=True``
        checks and enqueues atomically.
        """
        try:
            job = self._queue(queue_name).enqueue_call(
                func, args=args, job_id=job_id, retry=RAISED, unique=True,
                timeout=JOB_TIMEOUT, failure_ttl=FAILURE_TTL, description=job_id,
            )  # fmt: skip
        except DuplicateJobError:
            return None
        log.info("enqueued %s", job_id, extra={"job_id": job_id})
        return job

    def _queue(self, name: str) -> Queue:
        """The named queue, kept: a new ``Queue`` asks Redis for its version (``INFO``)."""
        if name not in self._queues:
            self._queues[name] = queues.get_queue(name, self.connection)
        return self._queues[name]

    def rate_limit(self, session: Session, shop_id: int) -> RateLimit:
        """At most the connector's ``max_concurrency`` jobs of one shop queued or running."""
        known = self._concurrency_by_shop
        if shop_id not in known:
            shop = session.get_one(Shop, shop_id)
            known[shop_id] = max(1, connector_class(shop.platform).max_concurrency)
        return RateLimit(f"shop-{shop_id}", known[shop_id])

    def _held(self, job_id: str, replace_dead: bool) -> bool:
        """True if a job with this id exists and should stay (it is live, or we keep it)."""
        status = self._status(job_id)
        if status is None:
            return False
        if not replace_dead:
            return True
        if status in ENDED:
            return False
        if status == JobStatus.QUEUED:
            return not is_lost(self.connection, job_id)
        if status != JobStatus.STARTED:
            return True
        worker_name = self.connection.hget(Job.key_for(job_id), "worker_name")
        return not (worker_name and worker_is_gone(self.connection, as_text(worker_name)))

    def _status(self, job_id: str) -> JobStatus | None:
        raw = self.connection.hget(Job.key_for(job_id), "status")
        return JobStatus(as_text(raw)) if raw else None
