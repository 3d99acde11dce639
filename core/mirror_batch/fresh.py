"""A batch's new rows, inserted by one statement on PostgreSQL.

The upsert has to run row by row: its SET clause reads the row's own parameters (what a
payload does not say keeps the stored value), so it goes as executemany, and SQLAlchemy
binds and psycopg sends each row's thirty parameters one by one. Most rows of a backfill
are new, though, and a new row needs no SET clause. So on PostgreSQL a batch first goes
as one JSON document, ``INSERT … SELECT … FROM jsonb_to_recordset(…) ON CONFLICT DO
NOTHING RETURNING <key>``: every row whose key is not stored is inserted, with the
defaults the upsert would give what it does not say, and the rows it returns no key for
(stored already, or inserted by another writer meanwhile) go through the upsert as before.
SQLite keeps the upsert alone: its statements cost no round trip and no encoding.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Executable,
    Table,
    Text,
    bindparam,
    column,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as postgresql_insert

from core.mirror_batch.statements import DEFAULTS, constant

# Fewer rows go straight to the upsert: a webhook's one order, a small page. They are
# mostly stored already, and the insert would only cost them a round trip more.
MIN_ROWS = 100


def insert_new(
    connection: Connection,
    table: Table,
    key: tuple[str, str],
    kept: tuple[str, ...],
    rows: Sequence[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Insert the rows whose ``key`` is not stored yet; return the others, for the upsert.

    ``kept`` are the columns that take their default when a row says None, as in the upsert.
    """
    if connection.dialect.name != "postgresql" or len(rows) < MIN_ROWS:
        return list(rows)
    keys = [(row[key[0]], row[key[1]]) for row in rows]
    if len(set(keys)) != len(keys):
        return list(rows)  # the upsert decides which of a repeated key wins; let it
    statement = _insert_from_json(table, key, kept, tuple(rows[0]))
    # One JSON document for the batch: encoded in C here, decoded in C there. Decimals and
    # times go as their text, which the record's column types read back exactly.
    document = json.dumps(rows, default=_as_text)
    inserted = {(row[0], row[1]) for row in connection.execute(statement, {"rows": document})}
    return [row for row, row_key in zip(rows, keys, strict=True) if row_key not in inserted]


def _as_text(value: object) -> str:
    """A Decimal or a time as JSON text; a time without a zone is refused, as the model does."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a column value")


@lru_cache(maxsize=16)
def _insert_from_json(
    table: Table, key: tuple[str, str], kept: tuple[str, ...], names: tuple[str, ...]
) -> Executable:
    """The statement: the same text for any number of rows, so it is prepared once."""
    kinds = {name: JSONB() if isinstance(table.c[name].type, JSON) else table.c[name].type
             for name in names}  # fmt: skip
    source = (
        func.jsonb_to_recordset(bindparam("rows", type_=Text()).cast(JSONB))
        .table_valued(*(column(name, kinds[name]) for name in names))
        .render_derived(name="source", with_types=True)
    )
    values: list[ColumnElement[Any]] = []
    for name in names:
        value: ColumnElement[Any] = source.c[name]
        if name in kept and name in DEFAULTS:
            value = func.coalesce(value, constant(DEFAULTS[name], kinds[name]))
        values.append(value)
    # Columns the rows do not carry get their Python-side defaults (``include_defaults``).
    statement = postgresql_insert(table).from_select(list(names), select(*values))
    statement = statement.on_conflict_do_nothing(index_elements=list(key))
    return statement.returning(table.c[key[0]], table.c[key[1]])
