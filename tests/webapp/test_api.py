"""``GET /healthz``: the database and the queue, as JSON, 200 only when both answer."""

from __future__ import annotations

from core.db import make_engine
from webapp import create_app


def test_health_reports_database_and_queue(client, app, engine):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "backend": engine.dialect.name}
    expected_queue = "redis" if app.config["REDIS_URL"] else "embedded"
    assert body["queue"] == {"ok": True, "backend": expected_queue}


def test_health_is_503_when_redis_does_not_answer(engine, dispatcher):
    app = create_app(
        {"DATABASE_ENGINE": engine, "DISPATCHER": dispatcher, "REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["database"]["ok"] is True
    assert body["queue"]["ok"] is False
    assert body["queue"]["error"] == "ConnectionError"


def test_health_is_503_when_the_database_does_not_answer(tmp_path, dispatcher):
    broken = make_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'reshelf.sqlite3'}")
    app = create_app({"DATABASE_ENGINE": broken, "DISPATCHER": dispatcher, "REDIS_URL": None})
    try:
        response = app.test_client().get("/healthz")
    finally:
        broken.dispose()
    assert response.status_code == 503
    assert response.get_json()["database"] == {
        "ok": False,
        "backend": "sqlite",
        "error": "OperationalError",
    }
