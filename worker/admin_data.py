"""What the admin shows of the worker: queue sizes, failed jobs with their error, replay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from redis import Redis
from rq.job import Job
from rq.rate_limit import RateLimitRegistry

from worker.queues import PRIORITY, get_queue, redis_connection
from worker.retry import RAISED


@dataclass(frozen=True)
class QueueSize:
    """How much work one queue holds, by state."""

    name: str
    queued: int
    running: int
    scheduled: int  # waiting for a retry's interval
    failed: int


@dataclass(frozen=True)
class FailedJob:
    """A job in the failed registry, as the admin lists it."""

    job_id: str
    queue: str
    description: str
    error: str  # the exception's last line: what the store said
    traceback: str
    failed_at: datetime | None


def queue_sizes(connection: Redis | None = None) -> list[QueueSize]:
    """Sizes of every queue, in priority order."""
    connection = connection or redis_connection()
    sizes = []
    for name in PRIORITY:
        queue = get_queue(name, connection)
        sizes.append(
            QueueSize(
                name=name,
                queued=queue.count,
                running=queue.started_job_registry.get_job_count(),
                scheduled=queue.scheduled_job_registry.get_job_count(),
                failed=queue.failed_job_registry.get_job_count(),
            )
        )
    return sizes


def paced_jobs(connection: Redis | None = None) -> dict[str, int]:
    """Jobs held back by per-shop pacing, by rate-limit key (``shop-<id>``)."""
    registries = RateLimitRegistry.all(connection or redis_connection())
    return {r.key: r.get_rate_limited_job_count() for r in registries}


def failed_jobs(connection: Redis | None = None, limit: int = 100) -> list[FailedJob]:
    """The newest failed jobs across the queues, with their error."""
    connection = connection or redis_connection()
    found: list[FailedJob] = []
    for name in PRIORITY:
        registry = get_queue(name, connection).failed_job_registry
        for job in Job.fetch_many(registry.get_job_ids(0, limit - 1, desc=True), connection):
            if job is not None:
                found.append(_describe(job, name))
    found.sort(key=lambda f: f.failed_at.timestamp() if f.failed_at else 0, reverse=True)
    return found[:limit]


def replay(job_id: str, connection: Redis | None = None) -> Job:
    """Put a failed job back on its queue with a fresh set of retries."""
    job = Job.fetch(job_id, connection=connection or redis_connection())
    # A fatal error spent the retries on purpose; after a fix the job deserves them again.
    job.retries_left = RAISED.max
    job.number_of_retries = 0
    return job.requeue()


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
