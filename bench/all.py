"""Run every benchmark in turn; each prints its figures as JSON lines.

    make bench      # or: python -m bench.all [--only policy,queries]

They need PostgreSQL and Redis (``DATABASE_URL``, ``REDIS_URL``; defaults on 127.0.0.1)
and take under 14 minutes together on a 2-core machine: each has a time limit, and one
that overruns is stopped with everything it started (its process group) and reported.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

# In the order they run, with a time limit each (seconds); the limits add up to 14 minutes.
BENCHMARKS = [
    ("policy", 45),
    ("queries", 90),
    ("ingest", 90),
    ("restock", 150),
    ("backfill", 225),
    ("chaos", 240),
]


def _signal_group(pid: int, signum: int) -> None:
    """Signal a benchmark's process group; one that has already ended is not an error."""
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass


def run(name: str, limit: float, env: dict[str, str]) -> str | None:
    """Run one benchmark; None if it succeeded, else what went wrong."""
    proc = subprocess.Popen(
        [sys.executable, "-m", f"bench.{name}"], env=env, start_new_session=True
    )
    try:
        code = proc.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        # SIGTERM first: a benchmark whose servers run in process groups of their own (the
        # chaos run's, which it kills and restarts) stops them on its way out.
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        _signal_group(proc.pid, signal.SIGKILL)  # the benchmark and its servers and workers
        proc.wait()
        return f"over its {limit:.0f}s limit"
    return f"exit {code}" if code else None


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Reshelf's benchmarks")
    parser.add_argument("--only", help="comma-separated names, e.g. policy,queries")
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else None
    env = {
        "DATABASE_URL": "postgresql://127.0.0.1:5432/test",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        **os.environ,
    }
    failed, began = [], time.monotonic()
    for name, limit in BENCHMARKS:
        if wanted and name not in wanted:
            continue
        started = time.monotonic()
        problem = run(name, limit, env)
        took = time.monotonic() - started
        sys.stderr.write(f"bench.{name}: {problem or 'ok'} in {took:.0f}s\n")
        if problem:
            failed.append(f"{name} ({problem})")
    sys.stderr.write(f"all benchmarks: {time.monotonic() - began:.0f}s\n")
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
