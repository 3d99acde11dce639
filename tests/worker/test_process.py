"""A worker process shuts down gracefully on SIGTERM: the running job finishes first."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from rq.job import Job

from core.config import get_settings
from worker.queues import DEFAULT, get_queue

REPO_ROOT = Path(__file__).resolve().parents[2]


def _wait_for(path: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name} did not appear in time")
        time.sleep(0.05)


@pytest.mark.slow
def test_sigterm_lets_the_current_job_finish_then_exits(shared_redis_url, tmp_path):
    connection = Redis.from_url(shared_redis_url)
    job = get_queue(DEFAULT, connection).enqueue(
        "tests.worker.slow_jobs.sleep_then_mark", str(tmp_path), 1.5
    )
    env = {**os.environ, "REDIS_URL": shared_redis_url, "DATABASE_URL": get_settings().database_url}
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "worker", "--queues", DEFAULT],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for(tmp_path / "started")
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=20) == 0
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()

    assert (tmp_path / "finished").exists()
    assert Job.fetch(job.id, connection=connection).get_status() == "finished"
