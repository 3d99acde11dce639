"""A batch's new rows, inserted by one statement on PostgreSQL.

The upsert has to run row by row: its SET clause reads the row's own parameters (what a
payload does not say keeps the stored value), so it goes as executemany, and SQLAlchemy
binds and psycopg sends each row's thirty parameters one by one. Most rows of a backfill
are new, though, and a new row needs no SET clause. So on PostgreSQL a batch first goes
as one JSON document, ``INSERT … SELECT … FROM jsonb_to_recordset(…) ON CONFLICT DO
NOTHING``: every row whose key is not stored is inserted, with the defaults the upsert
would give what it does not say, and the rows that were stored already (or inserted by
another writer meanwhile) go through the upsert as before. SQLite keeps the upsert alone:
its statements cost no round trip and no encoding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import orjson
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


@dataclass
class NewRows:
    """What ``insert_new`` did: the row id per key of each row it inserted (when asked),
    and the rows left for the upsert."""

    ids: dict[tuple[Any, Any], int] = field(default_factory=dict)
    rest: list[dict[str, Any]] = field(default_factory=list)


def insert_new(
    connection: Connection,
    table: Table,
    key: tuple[str, str],
    kept: tuple[str, ...],
    rows: Sequence[dict[str, Any]],
    *,
    ids: bool = False,
) -> NewRows:
    """Insert the rows whose ``key`` is not stored yet; leave the others to the upsert.

    ``kept`` are the columns that take their default when a row says None, as in the upsert.
    With ``ids`` the inserted rows' ids come back; without, if any row was stored already,
    every row is left to the upsert, which writes the new ones again to the same values
    (reading back which rows those were costs more than the rare rewrite).
    """
    if connection.dialect.name != "postgresql" or len(rows) < MIN_ROWS:
        return NewRows(rest=list(rows))
    keys = [(row[key[0]], row[key[1]]) for row in rows]
    if len(set(keys)) != len(keys):
        return NewRows(rest=list(rows))  # the upsert decides which of a repeated key wins
    statement = _insert_from_json(table, key, kept, tuple(rows[0]), ids)
    # One JSON document for the batch, decoded in C there. orjson writes times as ISO 8601
    # with their offset (the records' times are aware: the upsert, which every row takes on
    # SQLite, refuses naive ones) and Decimals as their exact text.
    document = orjson.dumps(rows, default=_decimal_text).decode()
    result = connection.execute(statement, {"rows": document})
    if not ids:
        return NewRows(rest=[] if result.rowcount == len(rows) else list(rows))
    inserted = {(row[0], row[1]): row[2] for row in result}
    rest = [row for row, row_key in zip(rows, keys, strict=True) if row_key not in inserted]
    return NewRows(inserted, rest)


def _decimal_text(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a column value")


@lru_cache(maxsize=16)
def _insert_from_json(
    table: Table, key: tuple[str, str], kept: tuple[str, ...], names: tuple[str, ...], ids: bool
) -> Executable:
    """The statement: the same text for any number of rows, so it is prepared once."""
    kinds = {
        name: JSONB() if isinstance(table.c[name].type, JSON) else table.c[name].type
        for name in names
    }
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
    if ids:
        return statement.returning(table.c[key[0]], table.c[key[1]], table.c.id)
    return statement.execution_options(preserve_rowcount=True)  # SQLAlchemy's -1 otherwise
