"""A shop's rows by platform id: one probe of the (shop_id, platform_id) key per id.

A batch writer reads back the rows it has just written to learn their ids. The obvious
``WHERE shop_id = :shop AND platform_id IN (…)`` lets PostgreSQL plan from statistics, and
while a shop's first backfill is under way the statistics do not know the shop yet: the
planner expects a handful of rows, scans every row the shop already has and compares each
with every id of the batch. Each batch then costs more than the one before (a second per
batch of 1,000 at 40,000 orders under a generic plan). Driving the lookup from the list of
ids with a ``LATERAL … LIMIT 1`` probe per id keeps the plan on the unique index whatever
the statistics say, so a batch costs the same at the millionth order as at the first.
SQLite has no arrays; its planner uses the unique index for the ``IN`` list by itself.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, cast

from sqlalchemy import Select, String, bindparam, func, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session

from core.models import Customer, Order, Variant

Mirrored = type[Order] | type[Customer] | type[Variant]


def by_platform_id(
    session: Session,
    model: Mirrored,
    shop_id: int,
    platform_ids: Collection[str],
    *columns: InstrumentedAttribute[Any],
) -> list[tuple[Any, ...]]:
    """``(platform_id, *columns)`` of each of ``platform_ids`` the shop has."""
    if not platform_ids:
        return []
    dialect = session.get_bind().dialect.name
    rows = session.execute(lookup_query(dialect, model, shop_id, platform_ids, *columns))
    return cast(list[tuple[Any, ...]], list(rows))  # Rows are tuples


def lookup_query(
    dialect: str,
    model: Mirrored,
    shop_id: int,
    platform_ids: Collection[str],
    *columns: InstrumentedAttribute[Any],
) -> Select[*tuple[Any, ...]]:
    """The statement ``by_platform_id`` runs on ``dialect``."""
    if dialect != "postgresql":
        return select(model.platform_id, *columns).where(
            model.shop_id == shop_id, model.platform_id.in_(platform_ids)
        )
    wanted = (
        func.unnest(bindparam("platform_ids", sorted(platform_ids), type_=ARRAY(String)))
        .table_valued("platform_id")
        .render_derived(name="wanted")
    )
    found = (
        select(*columns)
        .where(model.shop_id == shop_id, model.platform_id == wanted.c.platform_id)
        .limit(1)
        .lateral("found")
    )
    query = select(wanted.c.platform_id, *(found.c[column.key] for column in columns))
    return query.select_from(wanted).join(found, true())
