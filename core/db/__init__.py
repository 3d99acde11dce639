"""The declarative base, the engine and sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Engine, MetaData, Table, create_engine, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.postgresql.dml import Insert as PostgresInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.dialects.sqlite.dml import Insert as SQLiteInsert
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from core.clock import SystemClock
from core.db.types import UTCDateTime

# Stable constraint names so Alembic can drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    """Creation and last-change times, set by the database session."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=lambda: _utcnow())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=lambda: _utcnow(), onupdate=lambda: _utcnow()
    )


def _utcnow() -> datetime:
    return SystemClock().now()


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys on and a busy timeout for the worker thread."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def dialect_insert(dialect: str, table: Table) -> PostgresInsert | SQLiteInsert:
    """An INSERT that takes ``ON CONFLICT`` clauses, for the two databases Reshelf runs on."""
    return postgresql_insert(table) if dialect == "postgresql" else sqlite_insert(table)


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    """One engine per URL per process."""
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit, so a view can render them."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session closed on exit; the caller commits."""
    session = session_factory(engine)()
    try:
        yield session
    finally:
        session.close()
