"""A worker process outlives Redis: Redis goes away mid-job, comes back, the worker resumes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from redis import Redis

from core.config import get_settings
from worker.queues import DEFAULT, get_queue

REPO_ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"

pytestmark = pytest.mark.skipif(
    not Path(REDIS_SERVER).exists(), reason="needs redis-server to stop and restart"
)


def _free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """A redis-server of the test's own on a fixed port, without persistence."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until it answers."""
        self.proc = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _until(lambda: _answers(self.url), "redis-server to answer")

    def stop(self) -> None:
        """Stop it (what it held is gone, as after a restart without persistence)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


def _answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except OSError:
        return False
    except Exception:  # redis-py's ConnectionError while the server starts
        return False


def _until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll ``condition`` until true; fail after a generous ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer(_free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_worker_keeps_running_through_a_redis_outage_and_takes_new_jobs(own_redis, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    get_queue(DEFAULT, Redis.from_url(own_redis.url)).enqueue(
        "tests.worker.slow_jobs.sleep_then_mark", str(first), 2.0
    )
    env = {**os.environ, "REDIS_URL": own_redis.url, "DATABASE_URL": get_settings().database_url}
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "worker", "--queues", DEFAULT],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _until(lambda: (first / "started").exists(), "the first job to start")
            own_redis.stop()  # while the job runs: its bookkeeping will find Redis gone
            _until(
                lambda: worker.poll() is not None or "unreachable" in log_path.read_text(),
                "the worker to notice the outage",
            )
            own_redis.start()
            get_queue(DEFAULT, Redis.from_url(own_redis.url)).enqueue(
                "tests.worker.slow_jobs.sleep_then_mark", str(second), 0.0
            )
            _until(
                lambda: worker.poll() is not None or (second / "finished").exists(),
                "the job enqueued after the outage",
            )
            assert worker.poll() is None, f"the worker exited:\n{log_path.read_text()}"
            assert (second / "finished").exists()
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
