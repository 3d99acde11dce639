"""``/healthz`` reports whether a worker was seen lately, from RQ's worker heartbeats."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis
from rq import Worker

from webapp import create_app


@pytest.fixture
def redis_url(shared_redis_url: str) -> Iterator[str]:
    """A Redis without worker registrations left from other tests."""
    Redis.from_url(shared_redis_url).flushdb()
    yield shared_redis_url
    Redis.from_url(shared_redis_url).flushdb()


@pytest.fixture
def app_on_redis(engine, dispatcher, redis_url):
    return create_app({"DATABASE_ENGINE": engine, "DISPATCHER": dispatcher, "REDIS_URL": redis_url})


def test_no_worker_is_stale(app_on_redis):
    client = app_on_redis.test_client()
    health = client.get("/healthz")
    assert health.status_code == 200  # the web still acknowledges durably without a worker
    assert health.get_json()["worker"]["status"] == "stale"
    assert health.get_json()["worker"]["workers"] == 0
    alone = client.get("/healthz/worker")
    assert alone.status_code == 503
    assert alone.get_json()["status"] == "stale"


def test_a_worker_with_a_fresh_heartbeat_is_ok(app_on_redis, redis_url):
    worker = Worker(["default"], connection=Redis.from_url(redis_url), name="health-probe")
    worker.register_birth()
    worker.heartbeat()
    client = app_on_redis.test_client()
    assert client.get("/healthz").get_json()["worker"]["status"] == "ok"
    alone = client.get("/healthz/worker")
    assert alone.status_code == 200
    assert alone.get_json()["workers"] == 1


def test_worker_status_is_unknown_when_redis_is_down(engine, dispatcher):
    app = create_app(
        {"DATABASE_ENGINE": engine, "DISPATCHER": dispatcher, "REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    alone = app.test_client().get("/healthz/worker")
    assert alone.status_code == 503
    assert alone.get_json()["status"] == "unknown"
    assert alone.get_json()["reason"] == "Redis does not answer"


def test_embedded_worker_runs_in_the_serving_process(engine, dispatcher):
    app = create_app({"DATABASE_ENGINE": engine, "DISPATCHER": dispatcher, "REDIS_URL": None})
    assert app.test_client().get("/healthz/worker").get_json() == {"status": "embedded"}
