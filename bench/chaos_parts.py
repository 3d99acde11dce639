"""What the chaos run starts, breaks and brings back: Redis, the web process, the worker.

Each runs in a process group of its own, so stopping it stops all it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

import redis

from bench.services import REPO, free_port, wait_for
from cli.serve import gunicorn_argv

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _stop(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM) -> None:
    """Signal the process group and wait; SIGKILL it if it lingers."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        proc.wait()


class OwnRedis:
    """A redis-server of the run's own on a free port, without persistence (a restart
    empties it, as a lost or replaced Redis would)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until it accepts connections."""

        cmd = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        cmd += ["--appendonly", "no"]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.1)
        raise TimeoutError("redis-server did not start")

    def stop(self) -> None:
        """Stop it."""
        _stop(self.proc)


class Web:
    """``reshelf serve``'s gunicorn command line on a fixed port, restartable."""

    def __init__(self, env: dict[str, str], log: IO[bytes]) -> None:
        self.env, self.log = env, log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start serving and wait until /healthz answers."""
        argv = gunicorn_argv("127.0.0.1", self.port, 2, 8)
        self.proc = subprocess.Popen(
            argv, env=self.env, cwd=REPO, stdout=self.log, stderr=self.log, start_new_session=True
        )
        wait_for(f"{self.base}/healthz", self.proc)

    def restart(self) -> None:
        """SIGTERM (gunicorn's graceful stop), then start again on the same port."""
        _stop(self.proc)
        self.start()

    def stop(self) -> None:
        """Stop it."""
        _stop(self.proc)


class SupervisedWorker:
    """A ``reshelf worker`` process and the bench playing its supervisor.

    After the bench's own SIGKILL it restarts the worker, as systemd's ``Restart=always``
    would. A worker that exits on its own is restarted too, but counted in ``by_hand``:
    the restarts a person would have had to make without a supervisor.
    """

    def __init__(self, env: dict[str, str], log: IO[bytes]) -> None:
        self.env, self.log = env, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0
        self.by_hand = 0
        self._killed = False
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="chaos-supervisor", daemon=True)

    def start(self) -> None:
        """Start the worker and its watch."""
        self._spawn()
        self._thread.start()

    def kill(self) -> None:
        """SIGKILL the worker (and anything it forked)."""
        with self._lock:
            self._killed = True
            self.kills += 1
            if self.proc is not None and self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)

    def stop(self) -> None:
        """Stop watching, then stop the worker (SIGTERM: its warm shutdown)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        _stop(self.proc)

    def _spawn(self) -> None:
        argv = [sys.executable, "-m", "worker"]
        self.proc = subprocess.Popen(
            argv, env=self.env, cwd=REPO, stdout=self.log, stderr=self.log, start_new_session=True
        )

    def _watch(self) -> None:
        while not self._stopping.wait(0.2):
            with self._lock:
                if self.proc is None or self.proc.poll() is None:
                    continue
                if not self._killed:
                    self.by_hand += 1
                self._killed = False
            time.sleep(1)  # systemd's RestartSec
            if not self._stopping.is_set():
                self._spawn()


def log_file(name: str) -> IO[bytes]:
    """A log file for a process of the run, in the temporary folder."""
    path = Path(tempfile.gettempdir()) / f"reshelf-chaos-{name}.log"
    return path.open("wb")
