"""``reshelf serve``: gunicorn with Redis, else the development server and the embedded worker."""

from __future__ import annotations

import os
import sys

import click

from core.config import get_settings
from worker.runner import start_embedded_worker

# gunicorn's threaded workers: an acknowledgement is answered by a free thread while slow
# pages hold others; two sync workers queued 135 retried deliveries past Shopify's 5 s
# after a restart (docs/performance.md has the measurement).
WORKER_CLASS = "gthread"


def gunicorn_argv(host: str, port: int, workers: int, threads: int) -> list[str]:
    """The gunicorn command line ``reshelf serve`` runs with Redis."""
    serving = ["--bind", f"{host}:{port}", "--workers", str(workers)]
    serving += ["--worker-class", WORKER_CLASS, "--threads", str(threads)]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        *serving,
        "--access-logfile",
        "-",
        "webapp:create_app()",
    ]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, help="Gunicorn processes (with Redis).")
@click.option("--threads", default=8, show_default=True, help="Request threads per process.")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the portal, the admin, webhooks and /healthz.

    With REDIS_URL set this runs gunicorn (threaded workers: WORKERS processes of THREADS
    threads, so webhook acknowledgements never wait behind slow pages) and jobs go to
    `reshelf worker` processes. Without it, the development server runs with the embedded
    worker in a thread, so nothing but Python is needed.
    """
    if get_settings().redis_url:
        argv = gunicorn_argv(host, port, workers, threads)
        os.execv(argv[0], argv)
    # Here, not at the top: `reshelf worker` and the other commands load no Flask.
    from webapp import create_app

    app = create_app()
    embedded = start_embedded_worker()
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        embedded.stop()
