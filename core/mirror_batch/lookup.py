"""A shop's rows by platform id: one probe of the (shop_id, platform_id) key per id.

A batch writer reads back the rows it has just written to learn their ids. The obvious
``WHERE shop_id = :shop AND platform_id IN (…)`` is planned, while statistics do not yet
know the shop, as a scan of every row the shop has, each compared with every id of the
batch, and it is prepared as a generic plan in which the list is not even hashed (a second
per batch of 1,000 at 40,000 orders). Driving the lookup from the list of ids, with a
``LATERAL … LIMIT 1`` probe per id, costs the same at the millionth order as at the first,
provided the planner sees that the unique key is the index to probe: ``statistics`` keeps
its statistics current while a shop's rows pour in. SQLite has no arrays; its planner uses
the unique index for the ``IN`` list by itself.
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
