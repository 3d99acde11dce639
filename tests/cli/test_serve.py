"""``make run``'s server side: ``reshelf serve`` starts from a clean folder and answers /healthz."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

BIN = Path(sys.executable).parent


def _free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _reshelf() -> list[str]:
    """The installed console script, or the module when the package is not installed."""
    script = BIN / "reshelf"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli"]


@pytest.mark.slow
def test_serve_answers_health_from_a_clean_instance_folder(tmp_path):
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "RESHELF_ENCRYPTION_KEY")}
    env["RESHELF_INSTANCE_PATH"] = str(instance)
    port = _free_port()
    with open(tmp_path / "serve.log", "wb") as log:
        server = subprocess.Popen(
            [*_reshelf(), "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            answer = _wait_for_health(f"http://127.0.0.1:{port}/healthz", server)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    output = (tmp_path / "serve.log").read_text()
    assert answer is not None, f"/healthz never answered 200:\n{output}"
    assert answer["database"]["ok"] is True
    assert answer["queue"]["backend"] == ("redis" if env.get("REDIS_URL") else "embedded")
    assert (instance / "secret.key").exists()  # the instance folder was made from nothing


def _wait_for_health(url: str, server: subprocess.Popen[bytes]) -> dict[str, Any] | None:
    """Poll until 200 (the JSON body), the server dies, or 30 seconds pass (None)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            response = httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            return body
        time.sleep(0.2)
    return None


def test_serve_with_redis_runs_gunicorn_with_threaded_workers(monkeypatch):
    from click.testing import CliRunner
    from gunicorn.config import Config  # type: ignore[import-untyped]  # no stubs

    from cli.main import main
    from core.config import get_settings

    ran: list[list[str]] = []

    def record(path: str, argv: list[str]) -> None:
        """Like execv, never come back; but record the command line instead of running it."""
        ran.append(argv)
        raise SystemExit(0)

    # os.execv would replace the test process with gunicorn.
    monkeypatch.setattr(os, "execv", record)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["serve", "--port", "5123"])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    argv = ran[0]
    assert argv[1:3] == ["-m", "gunicorn"]
    # gunicorn's own parser reads the command line as gunicorn will.
    config = Config()
    parsed = config.parser().parse_args(argv[3:])
    for name, value in vars(parsed).items():
        if value is not None and name in config.settings:
            config.set(name, value)
    assert config.worker_class_str == "gthread"
    assert config.threads == 8
    assert config.workers == 2
    assert config.bind == ["127.0.0.1:5123"]
