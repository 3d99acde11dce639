"""``reshelf worker``: the click command the CLI mounts."""

from __future__ import annotations

import click

from worker.queues import PRIORITY
from worker.runner import run_worker


@click.command("worker")
@click.option(
    "--queues",
    "queue_names",
    multiple=True,
    type=click.Choice(PRIORITY),
    help="Queues to listen to (repeat the option); default: all, in priority order "
    + " > ".join(PRIORITY)
    + ".",
)
@click.option("--burst", is_flag=True, help="Work until the queues are empty, then exit.")
def worker_command(queue_names: tuple[str, ...], burst: bool) -> None:
    """Run a worker: restocks, refunds, webhook processing and the schedule.

    SIGTERM finishes the current job, then exits. Work left pending in the database
    (after a crash or a Redis restart) is found again on start and every minute.

    When Redis goes away the worker stays up: it retries with a capped exponential
    backoff (0.5 s doubling to 5 s), then sweeps and resumes. In production run it
    under a supervisor that restarts it after a crash or a kill, e.g. the systemd unit
    manifests/deploy/reshelf-worker.service (Restart=always). Its RQ heartbeat is what
    GET /healthz/worker checks.
    """
    run_worker(list(queue_names) or None, burst)
