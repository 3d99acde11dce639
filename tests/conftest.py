"""Fixtures shared by every suite.

The suite runs against PostgreSQL and Redis when ``DATABASE_URL`` / ``REDIS_URL`` are set
(as ``.ci/run`` does), and against an SQLite file and fakeredis when they are not.

Under pytest-xdist (``make pytest`` runs ``-n auto``) each worker process is a run of its
own: its own instance folder and SQLite file, its own PostgreSQL schema, its own Redis
database number (tests flush theirs), and, embedded, its own fakeredis. Servers and
workers the tests start as subprocesses inherit the worker's URLs from the environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from core import crypto
from core.clock import FrozenClock
from core.config import get_settings
from core.db import Base, make_engine, session_factory
from core.ports import RecordingDispatcher
from tests.support import speedups
from tests.support.factories import Factory

pytest_plugins = ["tests.support.queue_fixtures"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"


def pytest_configure(config: pytest.Config) -> None:
    """Before any test module imports the web app (whose module hashes a dummy at import)."""
    speedups.apply()


@pytest.fixture(scope="session", autouse=True)
def _environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point settings at a throwaway instance folder, fixed test keys, a private schema."""
    instance = tmp_path_factory.mktemp("instance")
    key = Fernet.generate_key().decode()
    saved = dict(os.environ)
    os.environ["RESHELF_INSTANCE_PATH"] = str(instance)
    os.environ["RESHELF_ENCRYPTION_KEY"] = key
    os.environ.setdefault("SECRET_KEY", "test-secret-key")
    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = worker_redis_url(
            os.environ["REDIS_URL"], os.environ.get("PYTEST_XDIST_WORKER")
        )
    schema = _private_schema(os.environ.get("DATABASE_URL", ""))
    get_settings.cache_clear()
    crypto.use_keys([key])
    yield
    os.environ.clear()
    os.environ.update(saved)
    get_settings.cache_clear()
    if schema:
        _drop_schema(saved["DATABASE_URL"], schema)


def worker_redis_url(url: str, worker: str | None, databases: int = 16) -> str:
    """The Redis URL of one xdist worker: ``gw0`` keeps the URL's database, ``gw1`` the one
    below it, and so on (wrapping at ``databases``), so workers never flush each other's.

    Counting down keeps CI's db 15 in range; outside xdist the URL is used as given.
    """
    if not worker or not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    base = int(query.pop("db", None) or parts.path.strip("/") or 0)
    db = (base - int(worker[2:])) % databases
    return urlunsplit(parts._replace(path=f"/{db}", query=urlencode(query)))


def _private_schema(url: str) -> str | None:
    """On PostgreSQL, run in a schema of this run's own (this process's: one per xdist
    worker), so parallel runs never collide.

    The schema travels in ``DATABASE_URL`` (libpq ``options``), so servers and workers the
    tests start as subprocesses land in it too.
    """
    if not url.startswith("postgresql"):
        return None
    schema = f"reshelf_test_{os.getpid()}"
    engine = make_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    os.environ["DATABASE_URL"] = f"{url}{separator}options=-csearch_path%3D{schema}"
    return schema


def _drop_schema(url: str, schema: str) -> None:
    engine = make_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(_environment: None) -> str:
    return get_settings().database_url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The schema, created once per run from the models (migrations have their own test)."""
    eng = make_engine(database_url)
    Base.metadata.drop_all(eng)
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def _empty_all_tables(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session on an empty database; every table is emptied after the test."""
    session = session_factory(engine)()
    try:
        yield session
    finally:
        session.close()
        _empty_all_tables(engine)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 6, 15, 12, 0, tzinfo=UTC))


@pytest.fixture
def dispatcher() -> RecordingDispatcher:
    return RecordingDispatcher()


@pytest.fixture
def factory(db: Session, clock: FrozenClock) -> Factory:
    return Factory(db, clock)


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` beside the project, or skip: those tests need Shopify's published files."""
    if not SHARED.is_dir():
        pytest.skip(
            "../shared is absent (a clone outside the workspace); Shopify data files needed"
        )
    return SHARED
