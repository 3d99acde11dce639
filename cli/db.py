"""``reshelf db``: Alembic migrations up and down."""

from __future__ import annotations

import click

from core.config import get_settings
from core.db.migrate import downgrade as migrate_down
from core.db.migrate import upgrade as migrate_up


@click.group("db")
def db_group() -> None:
    """Create or change the database schema (Alembic migrations shipped with Reshelf)."""


@db_group.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the latest)."""
    migrate_up(get_settings().database_url, revision)
    click.echo(f"Database at {revision}.")


@db_group.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (`-1` for one step, `base` for empty)."""
    migrate_down(get_settings().database_url, revision)
    click.echo(f"Database at {revision}.")
