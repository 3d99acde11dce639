"""Column helpers shared by the models."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Enum, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

# Job ids are built from row ids (``restock-<id>``), so an id must never come back after
# its row is deleted. PostgreSQL sequences never reuse; SQLite reuses the largest rowid
# unless the table is AUTOINCREMENT.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def enum_type(enum_cls: type[StrEnum]) -> Enum:
    """A VARCHAR + CHECK column holding the enum's values (portable, readable in SQL)."""
    return Enum(
        enum_cls,
        name=enum_cls.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def shop_fk(*, index: bool = True, **kwargs: Any) -> Mapped[int]:
    """The owning shop; deleting a shop deletes everything it owns.

    ``index=False`` where another index of the table starts with ``shop_id``: that one
    serves the cascade, and every write would keep the extra one up to date for nothing.
    """
    return mapped_column(
        Integer, ForeignKey("shops.id", ondelete="CASCADE"), index=index, nullable=False, **kwargs
    )
