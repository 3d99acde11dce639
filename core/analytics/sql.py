"""What every figure's query shares: which rows count, and time arithmetic on both databases.

SQLite keeps a UTC timestamp as text and PostgreSQL as ``timestamptz``; the two expressions
below turn either into numbers, so differences and days are computed by the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Executable, Float, Integer, and_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from core.analytics.period import Filters, Period
from core.lifecycle import OPEN_OR_DONE
from core.models import Order, ReturnRequest


class epoch_seconds(FunctionElement[float]):  # noqa: N801  (a SQL function's name)
    """Seconds since 1970-01-01 UTC of a timestamp column."""

    type = Float()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # julianday() reads the stored 'YYYY-MM-DD HH:MM:SS.ffffff' as UTC; day 2440587.5 is 1970.
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch_seconds, "postgresql")
def _epoch_seconds_postgresql(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS FLOAT)"


class day_number(FunctionElement[int]):  # noqa: N801  (a SQL function's name)
    """Whole days since 1970-01-01 UTC of a timestamp column (the UTC calendar day)."""

    type = Integer()
    inherit_cache = True
    name = "day_number"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element: day_number, compiler: SQLCompiler, **kw: Any) -> str:
    # Every timestamp Reshelf keeps is after 1970, so truncating is flooring.
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


@compiles(day_number, "postgresql")
def _day_number_postgresql(element: day_number, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {value}) / 86400) AS INTEGER)"


def sold_in(shop_id: int, period: Period) -> ColumnElement[bool]:
    """Orders that count as sales: placed in the period, not cancelled, not deleted."""
    return and_(
        Order.shop_id == shop_id,
        Order.ordered_at >= period.start,
        Order.ordered_at < period.end,
        Order.cancelled_at.is_(None),
        Order.deleted_at.is_(None),
    )


def returned_in(shop_id: int, period: Period, filters: Filters) -> ColumnElement[bool]:
    """Returns that count: requested in the period, neither rejected nor cancelled."""
    clauses = [
        ReturnRequest.shop_id == shop_id,
        ReturnRequest.requested_at >= period.start,
        ReturnRequest.requested_at < period.end,
        ReturnRequest.status.in_(OPEN_OR_DONE),
    ]
    if filters.channel is not None:
        clauses.append(ReturnRequest.channel == filters.channel)
    return and_(*clauses)


def days_between(start: Any, end: Any) -> ColumnElement[float]:
    """``end - start`` in days (fractional)."""
    return (epoch_seconds(end) - epoch_seconds(start)) / 86400.0


def fetch(session: Session, statement: Executable) -> list[Any]:
    """The rows of an aggregate query, loosely typed: figures convert each value themselves."""
    return list(session.execute(statement).all())
