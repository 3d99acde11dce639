"""The upsert statements, one per table and dialect, built once and reused.

Every column is a named bind parameter, so a batch is one executemany of one statement.
"Written" columns take the payload's value; "kept" columns keep the stored value when the
payload's is None (``coalesce(:param, stored)``) and take the column's default on insert.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BindParameter,
    ColumnElement,
    Table,
    bindparam,
    func,
    literal,
    literal_column,
    or_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.dml import Insert as PostgresInsert
from sqlalchemy.dialects.sqlite.dml import Insert as SQLiteInsert
from sqlalchemy.types import TypeEngine

from core.db import Base, dialect_insert
from core.models import Customer, Order, OrderLine, Variant

# None binds as SQL NULL (not JSON 'null'), so coalesce() can tell "not said" from a value.
JSON_OR_NULL = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
DEFAULTS: dict[str, Any] = {
    "tags": [],
    "payment_gateways": [],
    "platform_data": {},
    "tax_lines": [],
    "fulfilled_quantity": 0,
    "final_sale": False,
    "orders_count": 0,
    "total_spent": Decimal(0),
}

ORDER_WRITTEN = (
    "number",
    "name",
    "email",
    "currency",
    "subtotal",
    "total",
    "financial_status",
    "fulfillment_status",
    "ordered_at",
    "shipping_country",
    "channel",
)
ORDER_KEPT = (
    "customer_id",
    "store_status",
    "fulfilled_at",
    "delivered_at",
    "cancelled_at",
    "tags",
    "payment_gateways",
    "platform_data",
    "platform_updated_at",
)
LINE_WRITTEN = (
    "shop_id",
    "variant_id",
    "variant_platform_id",
    "sku",
    "title",
    "quantity",
    "unit_price",
    "discounted_unit_price",
    "currency",
    "refunded_quantity",
)
LINE_KEPT = ("product_platform_id", "fulfilled_quantity", "tax_lines", "final_sale")
CUSTOMER_WRITTEN = ("email", "first_name", "last_name", "phone")
CUSTOMER_KEPT = (
    "tags",
    "country",
    "currency",
    "orders_count",
    "total_spent",
    "platform_updated_at",
)


def table_of(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def _param(table: Table, name: str) -> BindParameter[Any]:
    kind = table.c[name].type
    return bindparam(name, type_=JSON_OR_NULL if isinstance(kind, JSON) else kind)


def _upsert(
    dialect: str,
    table: Table,
    key: tuple[str, ...],
    written: tuple[str, ...],
    kept: tuple[str, ...],
) -> tuple[PostgresInsert | SQLiteInsert, dict[str, ColumnElement[Any]]]:
    """The INSERT with its VALUES, and the SET clause for a conflict on ``key``."""
    # The batch's own timestamps: one value for all rows beats a default called per row.
    stamps = ("created_at", "updated_at")
    params = {name: _param(table, name) for name in key + written + kept + stamps}
    values: dict[str, ColumnElement[Any]] = dict(params)
    for name in kept:
        if name in DEFAULTS:
            values[name] = func.coalesce(params[name], constant(DEFAULTS[name], params[name].type))
    statement = dialect_insert(dialect, table).values(values)
    set_: dict[str, ColumnElement[Any]] = {name: statement.excluded[name] for name in written}
    set_.update({name: func.coalesce(params[name], table.c[name]) for name in kept})
    set_["updated_at"] = statement.excluded["updated_at"]  # onupdate does not apply here
    return statement, set_


def constant(value: Any, type_: TypeEngine[Any]) -> ColumnElement[Any]:
    """``value`` in the statement itself: a JSON default as a parameter was encoded anew
    for every row of every batch, half of all the JSON a backfill encoded."""
    if isinstance(value, list | dict):
        # coalesce() gives the untyped literal its other argument's type (jsonb on PostgreSQL).
        return literal_column(f"'{json.dumps(value)}'", type_)
    return literal(value, type_)


def _not_older(table: Table, statement: PostgresInsert | SQLiteInsert) -> ColumnElement[bool]:
    """The stale guard: the stored row is updated unless the incoming update is older."""
    stored, incoming = table.c.platform_updated_at, statement.excluded["platform_updated_at"]
    return or_(stored.is_(None), incoming.is_(None), stored <= incoming)


@lru_cache(maxsize=4)
def order_upsert(dialect: str) -> PostgresInsert | SQLiteInsert:
    """Orders by (shop, platform id), guarded against stale updates."""
    table = table_of(Order)
    statement, set_ = _upsert(dialect, table, ("shop_id", "platform_id"), ORDER_WRITTEN, ORDER_KEPT)
    return statement.on_conflict_do_update(
        index_elements=["shop_id", "platform_id"], set_=set_, where=_not_older(table, statement)
    )


@lru_cache(maxsize=4)
def line_upsert(dialect: str) -> PostgresInsert | SQLiteInsert:
    """Lines by (order, platform id); their order's guard already passed."""
    table = table_of(OrderLine)
    statement, set_ = _upsert(dialect, table, ("order_id", "platform_id"), LINE_WRITTEN, LINE_KEPT)
    return statement.on_conflict_do_update(index_elements=["order_id", "platform_id"], set_=set_)


@lru_cache(maxsize=8)
def customer_upsert(dialect: str, refresh: bool) -> PostgresInsert | SQLiteInsert:
    """Customers by (shop, platform id); never stale ones, never redacted ones.

    Without ``refresh`` an existing customer is left as it is (the payload only sketches it).
    """
    table = table_of(Customer)
    key = ("shop_id", "platform_id")
    statement, set_ = _upsert(dialect, table, key, CUSTOMER_WRITTEN, CUSTOMER_KEPT)
    if not refresh:
        return statement.on_conflict_do_nothing(index_elements=list(key))
    guard = _not_older(table, statement) & table.c.redacted_at.is_(None)
    return statement.on_conflict_do_update(index_elements=list(key), set_=set_, where=guard)


@lru_cache(maxsize=4)
def variant_stub(dialect: str) -> PostgresInsert | SQLiteInsert:
    """A variant known only from an order line, unless the mirror has it already."""
    statement = dialect_insert(dialect, table_of(Variant))
    return statement.on_conflict_do_nothing(index_elements=["shop_id", "platform_id"])
