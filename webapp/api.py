"""A small JSON API; for now the health check load balancers and ``make run`` poll."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from redis import Redis
from sqlalchemy import text
from werkzeug.wrappers import Response

from webapp.db import get_engine

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def check_health() -> tuple[Response, int]:
    """Database and queue status as JSON: 200 when both answer, 503 otherwise."""
    database, queue = _database_status(), _queue_status()
    healthy = database["ok"] and queue["ok"]
    body = {"status": "ok" if healthy else "unavailable", "database": database, "queue": queue}
    return jsonify(body), 200 if healthy else 503


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
