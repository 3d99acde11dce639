"""What every benchmark shares: printing figures, percentiles, scratch databases."""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, text


def report(
    bench: str,
    metric: str,
    value: float,
    unit: str,
    baseline: float | None = None,
    **extra: Any,
) -> None:
    """Print one figure as a JSON line; with a baseline, the ratio value/baseline too."""
    row: dict[str, Any] = {"bench": bench, "metric": metric, "value": round(value, 3), "unit": unit}
    if baseline is not None:
        row["baseline"] = round(baseline, 3)
        row["ratio"] = round(value / baseline, 3) if baseline else None
    row.update(extra)
    sys.stdout.write(json.dumps(row) + "\n")
    sys.stdout.flush()


def percentile(samples: list[float], pct: float) -> float:
    """The pct-th percentile (0–100) by nearest rank: the smallest sample with at least
    pct% of the samples at or below it."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(pct / 100 * len(ordered)))  # 1-based
    return ordered[min(rank, len(ordered)) - 1]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def postgres_url() -> str:
    """The PostgreSQL the benchmarks use (they need a real one)."""
    url = os.environ.get("DATABASE_URL", "postgresql://127.0.0.1:5432/test")
    if not url.startswith("postgresql"):
        raise SystemExit("this benchmark needs PostgreSQL: set DATABASE_URL=postgresql://…")
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@contextmanager
def scratch_schema(name: str) -> Iterator[Engine]:
    """An engine whose tables live in a fresh PostgreSQL schema, dropped afterwards."""
    admin = create_engine(postgres_url())
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {name}"))
    engine = create_engine(postgres_url(), connect_args={"options": f"-csearch_path={name}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        admin.dispose()
