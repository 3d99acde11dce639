"""A small HTTP load generator: keep-alive connections in threads, closed or open loop.

The open loop measures latency from each request's *scheduled* time, so a slow server
cannot hide its queueing by slowing the generator down (no coordinated omission).
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# n → (path, body, headers) for the n-th request.
RequestMaker = Callable[[int], tuple[str, bytes, dict[str, str]]]


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, latency_ms: float) -> None:
        with self.lock:
            self.latencies_ms.append(latency_ms)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.elapsed_s if self.elapsed_s else 0.0


def _send(conn: http.client.HTTPConnection, request: tuple[str, bytes, dict[str, str]]) -> int:
    path, body, headers = request
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def closed_loop(base: str, make: RequestMaker, concurrency: int, seconds: float) -> LoadResult:
    """``concurrency`` clients each sending as fast as answers come back."""
    result, counter = LoadResult(), itertools.count()
    stop_at = time.perf_counter() + seconds
    parts = urlsplit(base)

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            status = _send(conn, make(next(counter)))
            result.add(status, (time.perf_counter() - started) * 1000)
        conn.close()

    started = time.perf_counter()
    _run(client, concurrency)
    result.elapsed_s = time.perf_counter() - started
    return result


def open_loop(
    base: str, make: RequestMaker, rate: float, seconds: float, concurrency: int = 64
) -> LoadResult:
    """Requests scheduled at a steady ``rate`` per second, latency from the schedule."""
    result, counter = LoadResult(), itertools.count()
    total = int(rate * seconds)
    parts = urlsplit(base)
    start = time.perf_counter() + 0.2

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        while (n := next(counter)) < total:
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            status = _send(conn, make(n))
            result.add(status, (time.perf_counter() - due) * 1000)
        conn.close()

    _run(client, concurrency)
    result.elapsed_s = time.perf_counter() - start
    return result


def _run(target: Callable[[], None], count: int) -> None:
    threads = [threading.Thread(target=target, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
