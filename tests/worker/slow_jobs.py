"""A job that takes its time, for the graceful-shutdown test (imported by worker processes)."""

from __future__ import annotations

import time
from pathlib import Path


def sleep_then_mark(folder: str, seconds: float) -> str:
    """Write ``started``, wait, then write ``finished`` in ``folder``."""
    Path(folder, "started").write_text("started")
    time.sleep(seconds)
    Path(folder, "finished").write_text("finished")
    return "finished"
