"""Jobs a worker took and then died with (SIGKILL, OOM, a lost machine).

RQ notices them on its own: a started job once its execution's heartbeat expires (a
minute or more) and a job stuck between the queue and its start after a minute, both at
its next maintenance (every ten minutes). The sweeper must not leave pending work that
long when it can see the worker is gone, so it asks two sharper questions:

- is the job's execution owned by a worker whose process no longer exists on this host?
- was the job taken off its queue (RQ's intermediate list, or no list at all) and still
  not started seconds later?

Reshelf names its workers ``<pid>.<random>@<host>`` so the first question needs nothing
from Redis: a flush wipes worker registrations, not the names jobs carry.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from uuid import uuid4

from redis import Redis
from rq import Queue, Worker
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.executions import Execution
from rq.job import Job, JobStatus
from rq.utils import as_text, now

# A live worker starts a job it took within milliseconds; this is far beyond that.
STUCK_AFTER = timedelta(seconds=3)


def worker_name() -> str:
    """A unique worker name that says where the worker runs: ``<pid>.<random>@<host>``."""
    return f"{os.getpid()}.{uuid4().hex[:8]}@{socket.gethostname()}"


def worker_is_gone(connection: Redis, name: str | None) -> bool:
    """True if the named worker ran on this host and its process no longer exists."""
    if not name:
        return False
    where = _host_and_pid(name)
    if where is None:  # not named by us: ask its registration
        worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + name, connection)
        where = (worker.hostname, worker.pid) if worker and worker.hostname and worker.pid else None
    if where is None or where[0] != socket.gethostname() or not where[1]:
        return False  # cannot tell from here: leave it to RQ's heartbeat expiry
    try:
        os.kill(where[1], 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    return False


def started_by_dead_workers(queue: Queue) -> list[str]:
    """Ids of ``queue``'s jobs whose execution belongs to a worker that is provably gone."""
    connection = queue.connection
    dead = []
    registry = queue.started_job_registry
    for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
        # The execution names its worker from the moment the worker takes the job; the job
        # hash only once the work horse has started it.
        execution = Execution(id=execution_id, job_id=job_id, connection=connection)
        name = connection.hget(execution.key, "worker_name")
        if name and worker_is_gone(connection, as_text(name)):
            dead.append(job_id)
    return dead


def stuck_before_start(queue: Queue) -> list[str]:
    """Ids of jobs taken off ``queue`` by a worker that died before starting them."""
    intermediate = queue.intermediate_queue
    stuck = []
    for job_id in intermediate.get_job_ids():
        status = queue.connection.hget(Job.key_for(job_id), "status")
        if status is None or as_text(status) != JobStatus.QUEUED.value:
            continue
        if queue.connection.lpos(queue.key, job_id) is not None:
            continue  # queued again (a retry) and waiting its turn
        if intermediate.set_first_seen(job_id):
            continue  # first sighting: a live worker may be starting it right now
        first_seen = intermediate.get_first_seen(job_id)
        if first_seen is not None and now() - first_seen > STUCK_AFTER:
            stuck.append(job_id)
    return stuck


def is_lost(connection: Redis, job_id: str) -> bool:
    """Queued by its status, yet on neither its queue nor its intermediate list for seconds.

    A worker killed between taking a job off the list and registering its execution leaves
    exactly this, and RQ has no sweep that finds it.
    """
    origin = connection.hget(Job.key_for(job_id), "origin")
    if origin is None:
        return False
    queue = Queue(as_text(origin), connection=connection)
    for key in (queue.key, queue.intermediate_queue.key):
        if connection.lpos(key, job_id) is not None:
            return False
    marker = f"reshelf:lost:{job_id}"
    if connection.set(marker, now().timestamp(), nx=True, ex=60):
        return False  # first sighting: a live worker may be between two of its steps
    seen = connection.get(marker)
    return seen is not None and now().timestamp() - float(seen) > STUCK_AFTER.total_seconds()


def discard(connection: Redis, job_id: str) -> None:
    """Delete a dead job with its executions, which frees its per-shop rate-limit slot."""
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        # Only a remnant: a worker still writing to a job whose hash a flush removed.
        connection.delete(Job.key_for(job_id))
        return
    with connection.pipeline() as pipeline:
        job.execution_registry.delete(job=job, pipeline=pipeline)
        pipeline.execute()
    Queue(job.origin, connection=connection).intermediate_queue.remove(job.id)
    try:
        job.delete()
    except InvalidJobOperation:
        # The same remnant, caught a step later: its hash lost the status field meanwhile.
        connection.delete(Job.key_for(job_id))


def _host_and_pid(name: str) -> tuple[str, int] | None:
    head, at, host = name.rpartition("@")
    pid = head.split(".", 1)[0]
    return (host, int(pid)) if at and pid.isdigit() else None
