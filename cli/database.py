"""The database session the commands that read or write shops and users run in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from core.config import get_settings
from core.db import engine_for, session_scope


@contextmanager
def database() -> Iterator[Session]:
    """A session on the configured database, with a hint when the schema is missing."""
    try:
        with session_scope(engine_for(get_settings().database_url)) as session:
            yield session
    except (OperationalError, ProgrammingError) as exc:
        raise click.ClickException(
            f"{exc.orig or exc}\nIs the database migrated? Run `reshelf db upgrade`."
        ) from exc
