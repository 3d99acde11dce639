"""A small JSON API; for now the health checks load balancers, monitors and ``make run`` poll.

``/healthz`` says whether this web process can serve: 200 when the database and the queue
answer. It also reports the workers in a ``worker`` field without changing its status:
acknowledgements stay durable without a worker, so a stale worker must not take the web
out of a load balancer. ``/healthz/worker`` is the same field alone, 503 unless a worker
was seen within ``STALE_AFTER`` seconds, for a monitor that reads only status codes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, jsonify
from redis import Redis
from rq import Worker
from sqlalchemy import text
from werkzeug.wrappers import Response

from webapp.db import get_engine
from worker.runner import STALE_AFTER

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def check_health() -> tuple[Response, int]:
    """Database and queue status as JSON: 200 when both answer, 503 otherwise."""
    database, queue = _database_status(), _queue_status()
    healthy = database["ok"] and queue["ok"]
    body = {"status": "ok" if healthy else "unavailable", "database": database, "queue": queue}
    body["worker"] = _worker_status()
    return jsonify(body), 200 if healthy else 503


@bp.get("/healthz/worker")
def check_worker() -> tuple[Response, int]:
    """The workers' status alone: 200 when one was seen lately (or runs in-process), else 503."""
    status = _worker_status()
    return jsonify(status), 200 if status["status"] in ("ok", "embedded") else 503


def _worker_status() -> dict[str, Any]:
    """``ok`` if a worker's RQ heartbeat is recent (or it is busy with a job), ``stale`` if
    none is, ``unknown`` when Redis does not answer; ``embedded`` without Redis."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return {"status": "embedded"}  # the worker is a thread of the serving process
    client = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        workers = Worker.all(connection=client)
        busy = any(worker.get_state() == "busy" for worker in workers)
    except Exception as exc:  # whatever stops Redis from answering: nobody can tell
        return {"status": "unknown", "error": type(exc).__name__, "reason": "Redis does not answer"}
    finally:
        client.close()
    beats = [_aware(w.last_heartbeat) for w in workers if w.last_heartbeat is not None]
    age = (datetime.now(UTC) - max(beats)).total_seconds() if beats else None
    seen = busy or (age is not None and age <= STALE_AFTER)
    return {
        "status": "ok" if seen else "stale",
        "workers": len(workers),
        "last_heartbeat_seconds_ago": None if age is None else round(age, 1),
        "stale_after_seconds": STALE_AFTER,
    }


def _aware(moment: datetime) -> datetime:
    """RQ's timestamps are UTC; some versions give them without a zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _database_status() -> dict[str, Any]:
    """Run ``SELECT 1``; report the backend and, on failure, the error's type."""
    engine = get_engine()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to answer means unhealthy; the type says which
        return {"ok": False, "backend": engine.dialect.name, "error": type(exc).__name__}
    return {"ok": True, "backend": engine.dialect.name}


def _queue_status() -> dict[str, Any]:
    """Ping Redis when configured; the embedded queue lives in this process, so it is up."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return {"ok": True, "backend": "embedded"}
    client = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except Exception as exc:  # connection refused, timeout, auth: all mean the queue is down
        return {"ok": False, "backend": "redis", "error": type(exc).__name__}
    finally:
        client.close()
    return {"ok": True, "backend": "redis"}
