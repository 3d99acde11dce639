"""Every job the worker runs, in one table: name → function, queue, retry policy, schedule.

A job's name is also how its ids begin (``restock-<movement id>``, ``reconcile-<shop>-…``),
so a job id seen in the admin or a log leads here. Jobs are enqueued by name
(``RQDispatcher.enqueue_job``), never by a function's path written elsewhere.

Functions are named by their import path, the form RQ stores and resolves when a worker
runs a job. The table cannot import them: the job modules enqueue through it (the
sweeper, the relay and reconciliation all do), so an import would be a circle. The
schedule (``worker.schedule``) resolves its entries as a worker does, and
``tests/worker/test_jobs_table.py`` imports every one, without Flask.
"""

from __future__ import annotations

from dataclasses import dataclass

from rq import Retry

from worker import queues
from worker.retry import RAISED

MINUTE = 60
JOB_TIMEOUT = 120  # seconds; a store call that takes longer is treated as failed
FAILURE_TTL = 30 * 24 * 3600  # failed jobs stay replayable for a month


@dataclass(frozen=True)
class JobSpec:
    """How one job runs."""

    func: str  # the function's import path, as RQ stores it
    queue: str
    # For exceptions that escape the job; a store's "try again" returns its own ``Retry``
    # (``worker.retry``). None: not retried, the next scheduled run comes instead.
    retry: Retry | None = RAISED
    paced: bool = False  # calls the store: at most the connector's max_concurrency per shop
    every: int | None = None  # seconds between runs, for the schedule (``rq cron``)


JOBS: dict[str, JobSpec] = {
    # Work a core service committed, enqueued by ``RQDispatcher.dispatch`` as <name>-<row id>.
    "restock": JobSpec("worker.jobs.apply_movement_job", queues.RESTOCK, paced=True),
    "settle": JobSpec("worker.jobs.apply_settlement_job", queues.RESTOCK, paced=True),
    "return-sync": JobSpec("worker.jobs.push_return_job", queues.RESTOCK, paced=True),
    "inbox": JobSpec("worker.jobs.process_delivery_job", queues.WEBHOOKS),
    # The inbox doorbell's relay (``worker.inbox_relay``).
    "inbox-relay": JobSpec("worker.inbox_relay.relay_job", queues.WEBHOOKS),
    # One shop's store read again, enqueued per active shop by ``reconcile_all_job``.
    "reconcile": JobSpec("worker.reconcile.reconcile_shop_job", queues.SYNC, paced=True),
    # A new shop's first copy of the store, for every platform (``worker.backfills``).
    "backfill": JobSpec("worker.backfills.backfill_job", queues.SYNC),
    # The schedule: enqueued by ``rq cron`` (``worker.schedule``) every ``every`` seconds.
    "sweep": JobSpec("worker.sweeper.sweep_job", queues.DEFAULT, None, every=MINUTE),
    "reconcile-all": JobSpec(
        "worker.reconcile.reconcile_all_job", queues.SYNC, None, every=15 * MINUTE
    ),
    "refresh-tokens": JobSpec(
        "worker.scheduled.refresh_tokens_job", queues.SYNC, None, every=10 * MINUTE
    ),
    "check-webhooks": JobSpec(
        "worker.scheduled.check_webhooks_job", queues.SYNC, None, every=60 * MINUTE
    ),
    "return-windows": JobSpec(
        "worker.scheduled.return_windows_job", queues.NOTIFY, None, every=60 * MINUTE
    ),
    "prune-inbox": JobSpec(
        "worker.scheduled.prune_inbox_job", queues.DEFAULT, None, every=24 * 60 * MINUTE
    ),
}
