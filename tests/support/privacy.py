"""Where a person's data still is: every column of every table, as the database returns it."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import Base


def _text(value: object) -> str:
    """A value as searchable text: bodies decoded, JSON (decrypted credentials too) dumped."""
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def find_everywhere(session: Session, needles: Iterable[str]) -> list[str]:
    """``table.column#row: needle`` for every stored value containing one of ``needles``.

    Each table is read through its columns' types, so encrypted columns come back decrypted
    and JSON as the ORM would give it.
    """
    wanted = [n.lower() for n in needles if n]
    found: list[str] = []
    for table in Base.metadata.sorted_tables:
        for number, row in enumerate(session.execute(select(table)).mappings()):
            for column, value in row.items():
                if value is None:
                    continue
                text = _text(value).lower()
                found.extend(f"{table.name}.{column}#{number}: {n}" for n in wanted if n in text)
    return found
