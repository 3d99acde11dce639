"""Start and stop what a benchmark needs: a scratch database, Redis, gunicorn, workers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from cryptography.fernet import Fernet
from sqlalchemy import Engine, create_engine, text

import core.models  # noqa: F401
from bench.common import postgres_url
from core import crypto
from core.config import get_settings
from core.db import Base

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def bench_environment(name: str, redis_db: int = 14) -> Iterator[tuple[dict[str, str], Engine]]:
    """Environment variables for subprocesses and an engine, on a fresh schema and Redis db."""

    schema = f"reshelf_bench_{name}"
    admin = create_engine(postgres_url())
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    raw = os.environ.get("DATABASE_URL", "postgresql://127.0.0.1:5432/test")
    sep = "&" if "?" in raw else "?"
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DATABASE_URL": f"{raw}{sep}options=-csearch_path%3D{schema}",
        "REDIS_URL": f"{redis_url}/{redis_db}",
        "SECRET_KEY": "bench",
        "RESHELF_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "RESHELF_INSTANCE_PATH": str(Path(tempfile.gettempdir()) / f"reshelf-bench-{name}"),
        "PYTHONPATH": str(REPO),
    }
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    engine = create_engine(postgres_url(), connect_args={"options": f"-csearch_path={schema}"})
    Base.metadata.create_all(engine)
    # This process's own settings follow the subprocesses' for the duration, then revert.
    saved = dict(os.environ)
    os.environ.update(
        {
            k: env[k]
            for k in (
                "DATABASE_URL",
                "REDIS_URL",
                "RESHELF_ENCRYPTION_KEY",
                "SECRET_KEY",
                "RESHELF_INSTANCE_PATH",
            )
        }
    )

    get_settings.cache_clear()
    crypto.use_keys([env["RESHELF_ENCRYPTION_KEY"]])
    try:
        yield env, engine
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()
        engine.dispose()
        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int = 4) -> Iterator[str]:
    """Serve ``app`` (module:attr) with gunicorn on a free port; yield its base URL."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app,
    ]
    proc = subprocess.Popen(cmd, env=env, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz", proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def wait_for(url: str, proc: subprocess.Popen[bytes] | None = None, timeout: float = 30) -> None:
    """Poll ``url`` until it answers at all (any status), or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError as exc:
            if getattr(exc, "code", None):
                return  # an HTTP error status still means the server is up
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in {timeout}s")
