"""Migrations upgrade and downgrade cleanly, and the models match them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

import core.models  # noqa: F401
from core.db import Base, make_engine
from core.db.migrate import alembic_config

SCHEMA = "reshelf_migration_test"


@pytest.fixture
def empty_engine(database_url: str, tmp_path) -> Iterator[Engine]:
    """An engine on an empty database: a fresh SQLite file, or a fresh PostgreSQL schema."""
    if database_url.startswith("sqlite"):
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
        yield engine
        engine.dispose()
        return
    admin = create_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine = create_engine(database_url, connect_args={"options": f"-csearch_path={SCHEMA}"})
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    admin.dispose()


def _run(engine: Engine, verb: str, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, verb)(config, revision)


def test_upgrade_creates_every_table_and_downgrade_removes_them(empty_engine):
    _run(empty_engine, "upgrade", "head")
    tables = set(inspect(empty_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    _run(empty_engine, "downgrade", "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}


def test_tables_whose_ids_name_jobs_never_reuse_ids_on_sqlite(empty_engine):
    if empty_engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL sequences never hand out an id twice")
    _run(empty_engine, "upgrade", "head")
    with empty_engine.connect() as conn:
        rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type='table'")).all()
        schema = {name: sql for name, sql in rows}
    for table in ("inbox_deliveries", "stock_movements", "settlements", "return_requests"):
        assert "AUTOINCREMENT" in schema[table], table


def test_models_match_the_migrations(empty_engine):
    _run(empty_engine, "upgrade", "head")
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ; run alembic revision --autogenerate: {diff}"
