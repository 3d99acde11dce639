"""Queue fixtures: real Redis when ``REDIS_URL`` is set, the embedded fakeredis otherwise.

Owned by the worker suite; loaded for every test through ``pytest_plugins`` in conftest.
``run_jobs()`` runs every queued job in the test process, retries and paced jobs
included, until nothing is left: what a worker would do, without a second process.
``shared_redis_url`` is a Redis that worker *processes* can reach, in embedded mode too.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from redis import Redis
from rq.rate_limit import RateLimitRegistry

from core.config import get_settings


@pytest.fixture
def redis_conn(_environment: None) -> Iterator[Any]:
    """The connection the worker code uses, emptied before and after the test."""
    from worker.queues import redis_connection

    conn = redis_connection()
    conn.flushdb()
    yield conn
    conn.flushdb()


def queues_idle(connection: Redis, names: list[str] | None = None) -> bool:
    """True when no job is queued, running, waiting for a retry or held back by pacing."""
    from worker.queues import PRIORITY, get_queue

    for name in names or PRIORITY:
        queue = get_queue(name, connection)
        if queue.count or queue.started_job_registry.get_job_count():
            return False
        if queue.scheduled_job_registry.get_job_count():
            return False
    if names is not None:
        return True  # pacing is per shop, across queues: only meaningful for all of them
    return not any(r.get_rate_limited_job_count() for r in RateLimitRegistry.all(connection))


def drain(connection: Redis, timeout: float = 30.0) -> int:
    """Run jobs in this process until the queues are idle; return how many rounds it took."""
    from worker.queues import PRIORITY
    from worker.runner import ThreadWorker

    worker = ThreadWorker(list(PRIORITY), connection=connection)
    deadline = time.monotonic() + timeout
    rounds = 0
    while True:
        rounds += 1
        worker.work(burst=True, with_scheduler=True, logging_level="WARNING")
        if queues_idle(connection):
            return rounds
        if time.monotonic() > deadline:
            raise AssertionError(f"jobs still pending after {timeout} s")
        time.sleep(0.1)


@pytest.fixture
def run_jobs(redis_conn: Redis) -> Callable[..., int]:
    """``run_jobs(timeout=30)``: run queued jobs here until none is left."""

    def run(timeout: float = 30.0) -> int:
        return drain(redis_conn, timeout)

    return run


@pytest.fixture
def shared_redis_url(_environment: None) -> Iterator[str]:
    """A Redis other processes can reach: ``REDIS_URL``, else fakeredis's TCP server."""
    url = get_settings().redis_url
    if url:
        Redis.from_url(url).flushdb()
        yield url
        Redis.from_url(url).flushdb()
        return
    # In a process of its own: a pure-Python server sharing the test's GIL with the store
    # emulators would be the bottleneck of every test that uses it.
    server = subprocess.Popen(
        [sys.executable, "-c", f"from {__name__} import serve_fake_redis; serve_fake_redis()"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip()
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()


def serve_fake_redis() -> None:
    """Serve fakeredis over TCP on a free port of 127.0.0.1; print its URL, then serve."""
    from fakeredis import TcpFakeServer

    server = TcpFakeServer(("127.0.0.1", 0))
    server.RequestHandlerClass = _forgiving_handler()
    print(f"redis://127.0.0.1:{server.server_address[1]}/0", flush=True)  # noqa: T201
    server.serve_forever()


def _forgiving_handler() -> Any:
    """fakeredis 2.40's TCP handler, mended where it differs from Redis in ways RQ trips on.

    - It closes the connection after any command fails (``INFO``, which it lacks and RQ
      probes; ``EVALSHA`` before the script is loaded, which redis-py then loads); Redis
      answers the error and keeps serving, so this handler resumes serving.
    - ``CLIENT INFO`` shows addresses as Python tuples, which redis-py cannot parse; Redis
      writes ``host:port``.
    - Its sockets keep Nagle's algorithm on, so every pipeline (RQ uses them everywhere)
      waits out a delayed ACK (~40 ms); Redis sets ``TCP_NODELAY``.
    """
    from fakeredis._clients._tcp_server import TCPFakeRequestHandler

    class ForgivingHandler(TCPFakeRequestHandler):
        failed = False

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            info = self.current_client.get_socket()._client_info
            for name in ("addr", "laddr"):
                if isinstance(info.get(name), tuple):
                    host, port = info[name][:2]
                    info[name] = f"{host}:{port}"
            dump = self.writer.dump

            def remember_errors(value: Any) -> None:
                self.failed = self.failed or isinstance(value, Exception)
                dump(value)

            self.writer.dump = remember_errors  # type: ignore[method-assign]

        def handle(self) -> None:
            while not self.server._shutdown_event.is_set():
                self.failed = False
                super().handle()  # returns after an error as well as at the end
                if not self.failed:
                    return

    return ForgivingHandler
