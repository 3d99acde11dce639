"""Run every benchmark in turn; each prints its figures as JSON lines.

    make bench      # or: python -m bench.all [--only policy,queries]

They need PostgreSQL and Redis (``DATABASE_URL``, ``REDIS_URL``; defaults on 127.0.0.1)
and take under ten minutes together on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

# In the order they run, with a time limit each (seconds).
BENCHMARKS = [
    ("policy", 120),
    ("queries", 180),
    ("ingest", 150),
    ("restock", 180),
    ("backfill", 180),
]


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
    failed = []
    for name, limit in BENCHMARKS:
        if wanted and name not in wanted:
            continue
        started = time.monotonic()
        code = subprocess.call([sys.executable, "-m", f"bench.{name}"], env=env, timeout=limit)
        sys.stderr.write(f"bench.{name}: exit {code} in {time.monotonic() - started:.0f}s\n")
        if code:
            failed.append(name)
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
