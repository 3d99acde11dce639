"""Points in a job where the fault-injection test kills the workers.

The test does not kill on a clock (a loaded machine reaches fewer kills in the same
seconds): it counts the workers' calls to the stores' atomic stock route and holds the
n-th one until the workers have been killed. Holding *before* the store sees the call
kills a worker waiting on a store that never applied the movement; holding *after* the
store applied it, before the answer goes out, kills it between the store's change and
its own commit: the window exactly-once is about.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tests.worker.woo_store import STOCK_ROUTE

BEFORE, AFTER = "before", "after"


@dataclass
class CrashPoints:
    """Shared by the stores' middlewares: arm a point, wait for it, kill, then release."""

    hold_seconds: float = 120.0  # a held call is let go if the test never releases it
    lock: threading.Lock = field(default_factory=threading.Lock)
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    countdown: int | None = None
    where: str = AFTER
    held: str | None = None  # the idempotency key of the held call's movement
    calls: int = 0  # every call to the stock route, held or not

    def arm(self, calls: int, where: str) -> None:
        """Hold the call that comes after ``calls`` more calls, ``where`` the store is."""
        with self.lock:
            self.countdown, self.where, self.held = calls, where, None
            self.reached.clear()
            self.released.clear()

    def wait(self, timeout: float) -> str:
        """Block until a call is held; return its movement's key (AssertionError if none)."""
        if not self.reached.wait(timeout):
            raise AssertionError(f"no call reached the crash point in {timeout} s")
        assert self.held is not None
        return self.held

    def release(self) -> None:
        """Let the held call go on (its worker is dead: nobody reads its answer)."""
        self.released.set()

    def wrap(self, app: Callable[..., Any]) -> Callable[..., Any]:
        """WSGI middleware in front of one store."""

        def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            if environ["PATH_INFO"] != STOCK_ROUTE or environ["REQUEST_METHOD"] != "POST":
                return app(environ, start_response)
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)  # the store reads it again
            if not self._take(str(json.loads(body or b"{}").get("movement_id"))):
                return app(environ, start_response)
            if self.where == BEFORE:
                self._hold()
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"held by the test"]
            answer = _read(app(environ, start_response))  # the store has applied it
            self._hold()
            return [answer]

        return middleware

    def _take(self, movement: str) -> bool:
        """Count this call; True if it is the one to hold."""
        with self.lock:
            self.calls += 1
            if self.countdown is None:
                return False
            if self.countdown > 0:
                self.countdown -= 1
                return False
            self.countdown, self.held = None, movement
            return True

    def _hold(self) -> None:
        """Tell the test the point is reached, then wait until it has killed the workers."""
        self.reached.set()
        self.released.wait(self.hold_seconds)


def _read(body: Iterable[bytes]) -> bytes:
    """The whole body of a WSGI answer, closing it as a server would."""
    try:
        return b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
