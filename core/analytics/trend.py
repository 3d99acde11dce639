"""The trend: per day or week, requests, the return rate and the share of revenue retained."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from core.analytics.period import Filters, Period, ratio
from core.analytics.sql import day_number, fetch, returned_in, sold_in
from core.enums import LedgerState, ResolutionKind
from core.models import Order, OrderLine, ReturnLine, ReturnRequest, Settlement

EPOCH = date(1970, 1, 1)
RETAINED_KINDS = (ResolutionKind.STORE_CREDIT, ResolutionKind.EXCHANGE)


@dataclass(frozen=True)
class TrendPoint:
    """One day or week (from ``start``, a UTC date; weeks start on Monday)."""

    start: date
    requests: int = 0
    units_returned: int = 0
    units_sold: int = 0
    settled: Decimal = Decimal(0)
    retained: Decimal = Decimal(0)

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.units_returned, self.units_sold)

    @property
    def retained_share(self) -> Decimal | None:
        return ratio(self.retained, self.settled)


def _bucket_start(day: int, step: str) -> date:
    start = EPOCH + timedelta(days=day)
    return start - timedelta(days=start.weekday()) if step == "week" else start


def _buckets(period: Period, step: str) -> list[date]:
    first = _bucket_start((period.start.date() - EPOCH).days, step)
    last = (period.end - timedelta(microseconds=1)).date()
    out, day = [], first
    while day <= last:
        out.append(day)
        day += timedelta(days=7 if step == "week" else 1)
    return out


def trend(
    session: Session, shop_id: int, period: Period, filters: Filters, step: str = "day"
) -> tuple[TrendPoint, ...]:
    """Per UTC day (``step="day"``) or Monday-to-Sunday week (``"week"``) of the period,
    every one listed even when empty:

    - requests: returns requested that day or week (``returned_in``), and their units;
    - units sold: of the orders placed that day or week (``sold_in``); rate = the two's ratio;
    - settled and retained: the settlements applied for those returns, all kinds and store
      credit + exchange only, by the day the return was requested; retained share = ratio.
    """
    if step not in ("day", "week"):
        raise ValueError("step is 'day' or 'week'")
    requested = day_number(ReturnRequest.requested_at)
    units = (
        select(func.sum(ReturnLine.quantity))
        .where(ReturnLine.return_id == ReturnRequest.id)
        .correlate(ReturnRequest)
        .scalar_subquery()
    )
    where = returned_in(shop_id, period, filters)
    points: dict[date, dict[str, Any]] = {d: {} for d in _buckets(period, step)}

    def add(day: int, **values: Any) -> None:
        row = points.setdefault(_bucket_start(int(day), step), {})
        for name, value in values.items():
            row[name] = row.get(name, 0) + value

    for day, n, u in fetch(
        session, select(requested, func.count(), func.sum(units)).where(where).group_by(requested)
    ):
        add(day, requests=int(n), units_returned=int(u or 0))
    ordered = day_number(Order.ordered_at)
    for day, n in fetch(
        session,
        select(ordered, func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(sold_in(shop_id, period))
        .group_by(ordered),
    ):
        add(day, units_sold=int(n or 0))
    retained = case((Settlement.kind.in_(RETAINED_KINDS), Settlement.amount), else_=0)
    for day, settled, kept in fetch(
        session,
        select(requested, func.sum(Settlement.amount), func.sum(retained))
        .join(Settlement, Settlement.return_id == ReturnRequest.id)
        .where(where, Settlement.state == LedgerState.APPLIED)
        .group_by(requested),
    ):
        add(day, settled=_money(settled), retained=_money(kept))
    return tuple(TrendPoint(start, **values) for start, values in sorted(points.items()))


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.0001"))
