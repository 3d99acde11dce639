"""Jobs left "started" by a worker that died (SIGKILL, OOM, a lost machine).

RQ notices them on its own once their execution's heartbeat expires (a minute or more)
and its next maintenance runs (every ten minutes). For the sweeper, a pending row
must not wait that long when we can see the worker is gone: its registration expired,
or it ran on this host and its process no longer exists.
"""

from __future__ import annotations

import os
import socket

from rq import Worker
from rq.job import Job


def is_abandoned(job: Job) -> bool:
    """True if the job is marked started but the worker running it is provably gone."""
    if not job.worker_name:
        return False
    key = Worker.redis_worker_namespace_prefix + job.worker_name
    worker = Worker.find_by_key(key, connection=job.connection)
    if worker is None:
        return True
    if worker.hostname != socket.gethostname() or not worker.pid:
        return False  # another host: leave it to RQ's heartbeat expiry
    try:
        os.kill(worker.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    return False


def discard(job: Job) -> None:
    """Delete a dead job with its executions, which frees its per-shop rate-limit slot."""
    with job.connection.pipeline() as pipeline:
        job.execution_registry.delete(job=job, pipeline=pipeline)
        pipeline.execute()
    job.delete()
