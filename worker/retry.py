"""Retry policy: what happens to a job when the store says no.

- ``RetriableStoreError`` (429, 5xx, timeouts, THROTTLED): the job *returns* an RQ
  ``Retry`` (RQ reschedules a job that returns one), waiting what the store asked
  (``retry_after``) or else a growing interval from ``BACKOFF``.
- ``FatalStoreError``: no retry; the job goes to RQ's failed registry at once.
- Anything else that escapes a job (a database hiccup, a bug): RQ's own retries from the
  ``Retry`` given at enqueue (``RAISED``), then the failed registry.

A job that runs out of retries lands in the failed registry with its row still pending:
the admin shows it with the store's words and replays it (``worker.admin_data.replay``).
Nothing is lost, and nothing is retried for ever without a person seeing it.
"""

from __future__ import annotations

import math

from rq import Retry
from rq.job import get_current_job

from core.errors import RetriableStoreError

# Seconds between attempts while the store keeps refusing: quick at first, then patient.
BACKOFF = [1, 2, 5, 10, 30, 60, 120, 300, 600]
# Attempts answered "try again" before the job is parked (about 2 hours with BACKOFF).
STORE_RETRIES = 20
# For exceptions that are not the store's: a few quick tries, then the failed registry.
RAISED = Retry(max=3, interval=[2, 10, 60])


def retry_later(exc: RetriableStoreError) -> Retry:
    """The ``Retry`` a job returns for a retriable store error, honouring ``retry_after``."""
    if exc.retry_after is not None and exc.retry_after > 0:
        # RQ's scheduler keeps whole seconds and rounds down; one more second makes sure
        # the store is not asked again before the time it named.
        return Retry(max=STORE_RETRIES, interval=[math.ceil(exc.retry_after) + 1])
    return Retry(max=STORE_RETRIES, interval=BACKOFF)


def park_current_job() -> None:
    """Make the running job skip its remaining retries: a fatal error will not go away."""
    job = get_current_job()
    if job is not None:
        # RQ retries a raised exception while retries_left > 0; the worker reads this
        # very object when it handles the failure, so the job lands in the failed registry.
        job.retries_left = 0
