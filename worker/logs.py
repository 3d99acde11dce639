"""Structured logs: one JSON object per line, carrying the ids of what a job works on.

A job binds its ids once (``bind(shop_id=..., movement_id=...)``) and every record logged
while it runs, RQ's own included, carries them; a log search for a movement finds it all.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

CONTEXT_FIELDS = (
    "job_id",
    "shop_id",
    "return_id",
    "movement_id",
    "settlement_id",
    "delivery_id",
)

_bound: ContextVar[dict[str, Any] | None] = ContextVar("reshelf_log_context", default=None)


@contextmanager
def bind(**ids: Any) -> Iterator[None]:
    """Attach ids to every record logged inside the block (thread and task local)."""
    token = _bound.set({**(_bound.get() or {}), **{k: v for k, v in ids.items() if v is not None}})
    try:
        yield
    finally:
        _bound.reset(token)


def _stamp_bound_ids(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    """Wrap a record factory so each record carries the ids bound where it was created."""

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        for name, value in (_bound.get() or {}).items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return record

    make.reshelf_stamps_ids = True  # type: ignore[attr-defined]
    return make


# At creation rather than at formatting: a record formatted later (a queued handler, pytest's
# capture) must still say which job wrote it.
if not getattr(logging.getLogRecordFactory(), "reshelf_stamps_ids", False):
    logging.setLogRecordFactory(_stamp_bound_ids(logging.getLogRecordFactory()))


class JsonLinesFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message, ids, error."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in CONTEXT_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                data[field] = value
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


def configure_logging(level: int | str = logging.INFO) -> None:
    """Send every log record of the process to stderr as JSON lines (idempotent)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonLinesFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLinesFormatter())
    root.addHandler(handler)
    root.setLevel(level)
