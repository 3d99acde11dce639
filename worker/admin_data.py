"""What the admin's sync log shows of the worker: a shop's failed jobs with the store's
words, a replay of one, and how many of its store calls wait for the shop's pace.

RQ's registries hold every shop's jobs. A job names only its row (``restock-<movement
id>``: the table's job, then the id in its arguments), so a shop's jobs are found by
asking the database which of those rows are the shop's; a job of no row (the schedule's
jobs) is nobody's and is shown to no merchant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from redis import Redis
from rq.job import Job
from rq.rate_limit import RateLimitRegistry
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Shop
from worker.dispatch import KINDS, Owned
from worker.jobs_table import JOBS
from worker.queues import PRIORITY, get_queue, redis_connection
from worker.retry import RAISED

# Which table a job's first argument is a row of, by the job's function.
OWNER_BY_FUNCTION: dict[str, type[Owned]] = {
    **{JOBS[kind.job].func: kind.owner for kind in KINDS.values()},
    JOBS["reconcile"].func: Shop,
}


@dataclass(frozen=True)
class FailedJob:
    """A job in the failed registry, as the admin lists it."""

    job_id: str
    queue: str
    description: str
    error: str  # the exception's last line: what the store said
    traceback: str
    failed_at: datetime | None


def failed_jobs_of_shop(
    session: Session, shop_id: int, connection: Redis | None = None, limit: int = 100
) -> list[FailedJob]:
    """The newest failed jobs whose work belongs to the shop."""
    found = _failed(connection or redis_connection(), limit)
    mine = _owned_by(session, shop_id, [job for job, _ in found])
    return [_describe(job, queue) for job, queue in found if job.id in mine]


def replay(job_id: str, connection: Redis | None = None) -> Job:
    """Put a failed job back on its queue with a fresh set of retries."""
    job = Job.fetch(job_id, connection=connection or redis_connection())
    # A fatal error spent the retries on purpose; after a fix the job deserves them again.
    job.retries_left = RAISED.max
    job.number_of_retries = 0
    return job.requeue()


def replay_for_shop(
    session: Session, shop_id: int, job_id: str, connection: Redis | None = None
) -> bool:
    """Replay the shop's failed job ``job_id``; False if the shop has no such failed job."""
    connection = connection or redis_connection()
    if job_id not in {f.job_id for f in failed_jobs_of_shop(session, shop_id, connection)}:
        return False
    replay(job_id, connection)
    return True


def paced_jobs(shop_id: int, connection: Redis | None = None) -> int:
    """The shop's jobs held back by its pacing (at most ``max_concurrency`` at a time)."""
    registries = RateLimitRegistry.all(connection or redis_connection())
    return sum(r.get_rate_limited_job_count() for r in registries if r.key == f"shop-{shop_id}")


def _failed(connection: Redis, limit: int) -> list[tuple[Job, str]]:
    found: list[tuple[Job, str]] = []
    for name in PRIORITY:
        registry = get_queue(name, connection).failed_job_registry
        for job in Job.fetch_many(registry.get_job_ids(0, limit - 1, desc=True), connection):
            if job is not None:
                found.append((job, name))
    found.sort(
        key=lambda pair: pair[0].ended_at.timestamp() if pair[0].ended_at else 0, reverse=True
    )
    return found[:limit]


def _owned_by(session: Session, shop_id: int, jobs: list[Job]) -> set[str]:
    """The ids of the jobs whose row belongs to the shop."""
    wanted: dict[type[Owned], dict[int, list[str]]] = {}
    for job in jobs:
        owner = OWNER_BY_FUNCTION.get(job.func_name or "")
        if owner is not None and job.args and isinstance(job.args[0], int):
            wanted.setdefault(owner, {}).setdefault(job.args[0], []).append(job.id)
    mine: set[str] = set()
    for owner, by_row in wanted.items():
        if issubclass(owner, Shop):
            rows = [shop_id] if shop_id in by_row else []
        else:
            rows = list(
                session.scalars(
                    select(owner.id).where(owner.id.in_(by_row), owner.shop_id == shop_id)
                )
            )
        for row_id in rows:
            mine.update(by_row[row_id])
    return mine


def _describe(job: Job, queue: str) -> FailedJob:
    result = job.latest_result()
    traceback = (result.exc_string if result else None) or ""
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    if lines:
        error = lines[-1]
    elif job.number_of_retries:
        error = f"gave up after {job.number_of_retries} retries; the store kept refusing"
    else:
        error = "failed without an error message"
    return FailedJob(
        job_id=job.id,
        queue=queue,
        description=job.description or job.func_name or job.id,
        error=error,
        traceback=traceback,
        failed_at=job.ended_at,
    )
