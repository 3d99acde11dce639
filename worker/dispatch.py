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
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from redis import Redis
from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from rq.rate_limit import RateLimit
from rq.utils import as_text
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from connectors import connector_class
from core.config import get_settings
from core.db import engine_for, session_factory
from core.models import InboxDelivery, ReturnEvent, ReturnRequest, Settlement, Shop, StockMovement
from core.ports import JobKind, StoreConnector
from worker import queues
from worker.abandoned import discard, is_lost, worker_is_gone
from worker.inbox_relay import Doorbell
from worker.jobs_table import FAILURE_TTL, JOB_TIMEOUT, JOBS

log = logging.getLogger(__name__)

ConnectorFactory = Callable[[Session, Shop], StoreConnector]

# A job that ended while its row is still pending did not do the work: the sweeper may
# replace it. Not a failed one: it waits in the failed registry for a person to replay it
# (a fatal error, or a store that refused for hours), and it is replaced only if it expires.
ENDED = {JobStatus.FINISHED, JobStatus.STOPPED, JobStatus.CANCELED}


@dataclass(frozen=True)
class Kind:
    """Which job of ``worker.jobs_table`` does one kind of committed work, and its row."""

    job: str  # the table's name, which is also how the job's id begins
    owner: type[StockMovement | Settlement | ReturnRequest | InboxDelivery | Shop]


KINDS: dict[JobKind, Kind] = {
    "movement": Kind("restock", StockMovement),
    "settlement": Kind("settle", Settlement),
    "return_sync": Kind("return-sync", ReturnRequest),
    "inbox": Kind("inbox", InboxDelivery),
    "backfill": Kind("backfill", Shop),
}

Owned = StockMovement | Settlement | ReturnRequest | InboxDelivery | Shop


def job_id_for(session: Session, kind: JobKind, object_id: int) -> str:
    """The deterministic id of the job for this work (letters, digits, ``_`` and ``-``)."""
    prefix = KINDS[kind].job
    if kind == "return_sync":
        # One push per status change: a later change must not be swallowed by the earlier job.
        changes = session.scalar(
            select(func.count(ReturnEvent.id)).where(
                ReturnEvent.return_id == object_id, ReturnEvent.kind == "status"
            )
        )
        return f"{prefix}-{object_id}-{changes or 0}"
    return f"{prefix}-{object_id}"


class RQDispatcher:
    """Enqueues jobs on RQ after the database commit that recorded their work."""

    def __init__(
        self,
        engine: Engine | None = None,
        connection: Redis | None = None,
        gather_rings: float = 0.0,
    ) -> None:
        """``gather_rings``: seconds the inbox rings of this process are gathered for before
        one push announces them all (``inbox_relay.GatheredRings``); 0 pushes each at once."""
        self.engine = engine or engine_for(get_settings().database_url)
        self.connection = connection or queues.redis_connection()
        self.doorbell = Doorbell(self.connection, gather_rings)
        self._concurrency_by_shop: dict[int, int] = {}
        self._queues = queues.QueueCache(self.connection)

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
        job = KINDS[kind].job
        if kind == "inbox" and not replace_dead:
            self.doorbell.ring(object_id)  # a webhook being acknowledged: the relay enqueues
            return None
        if kind != "return_sync" and self._held(f"{job}-{object_id}", replace_dead):
            return None  # the common case, answered from Redis alone (the sweeper asks a lot)
        with session_factory(self.engine)() as session:
            owner = cast(Owned | None, session.get(KINDS[kind].owner, object_id))
            if owner is None:
                log.warning("no %s %s to dispatch", kind, object_id)
                return None
            job_id = job_id_for(session, kind, object_id)
            shop_id = owner.id if isinstance(owner, Shop) else owner.shop_id  # a backfill's row
            limit = self.rate_limit(session, shop_id) if JOBS[job].paced else None
        return self.enqueue_job(
            job,
            job_id,
            (object_id,),
            limit,
            replace_dead=replace_dead,
            description=f"{kind} {object_id}",
        )

    def enqueue_job(
        self,
        name: str,
        job_id: str,
        args: tuple[int, ...],
        limit: RateLimit | None = None,
        *,
        replace_dead: bool = False,
        description: str = "",
    ) -> Job | None:
        """Enqueue the table's job ``name`` with ``args`` as ``job_id`` unless that job
        exists; None if it did. A lock per job id makes the check and the enqueue one step
        (RQ refuses its atomic ``unique=True`` for rate-limited jobs)."""
        spec = JOBS[name]
        with self.connection.lock(f"reshelf:enqueue:{job_id}", timeout=30, blocking_timeout=30):
            if self._held(job_id, replace_dead):
                return None
            if self._status(job_id) is not None:
                discard(self.connection, job_id)
            job = self._queues.get(spec.queue).enqueue_call(
                spec.func,
                args=args,
                job_id=job_id,
                retry=spec.retry,
                rate_limit=limit,
                timeout=JOB_TIMEOUT,
                failure_ttl=FAILURE_TTL,
                description=description or job_id,
            )
        log.info("enqueued %s", job_id, extra={"job_id": job_id})
        return job

    def enqueue_delivery(self, delivery_id: int) -> Job | None:
        """Enqueue a stored delivery's job (the relay's step), or nothing if it has one."""
        return self.doorbell.enqueue_delivery(delivery_id)

    def enqueue_relay(self, job_id: str) -> Job | None:
        """Enqueue a relay of the inbox doorbell (``worker.inbox_relay``) under ``job_id``."""
        return self.doorbell.enqueue_relay(job_id)

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
        """The job's status from its hash, or None if there is no such job."""
        raw = self.connection.hget(Job.key_for(job_id), "status")
        return JobStatus(as_text(raw)) if raw else None
