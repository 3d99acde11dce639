"""Fixtures shared by every suite.

The suite runs against PostgreSQL and Redis when ``DATABASE_URL`` / ``REDIS_URL`` are set
(as ``.ci/run`` does), and against an SQLite file and fakeredis when they are not.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from core import crypto
from core.clock import FrozenClock
from core.config import get_settings
from core.db import Base, make_engine, session_factory
from core.ports import RecordingDispatcher
from tests.support.factories import Factory

pytest_plugins = ["tests.support.queue_fixtures"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def _environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point settings at a throwaway instance folder and fixed test keys."""
    instance = tmp_path_factory.mktemp("instance")
    key = Fernet.generate_key().decode()
    saved = dict(os.environ)
    os.environ["RESHELF_INSTANCE_PATH"] = str(instance)
    os.environ["RESHELF_ENCRYPTION_KEY"] = key
    os.environ.setdefault("SECRET_KEY", "test-secret-key")
    get_settings.cache_clear()
    crypto.use_keys([key])
    yield
    os.environ.clear()
    os.environ.update(saved)
    get_settings.cache_clear()


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
