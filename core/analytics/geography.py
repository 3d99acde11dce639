"""Where returns come from: countries of the returns, with each country's return rate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.analytics.period import Filters, Period, ratio
from core.analytics.sql import fetch, returned_in, sold_in
from core.models import Order, OrderLine, ReturnLine, ReturnRequest

UNKNOWN_COUNTRY = "??"


@dataclass(frozen=True)
class CountryRow:
    country: str  # ISO 3166-1 alpha-2, upper case; "??" when the store did not say
    returns: int
    units_returned: int
    units_sold: int

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.units_returned, self.units_sold)


def returns_by_country(
    session: Session, shop_id: int, period: Period, filters: Filters
) -> tuple[CountryRow, ...]:
    """Per country: the returns requested in the period (the return's country, which is the
    order's shipping country when it was requested), their units, and the units sold in the
    period to that country (the order's shipping country). Most returns first."""
    country = func.upper(func.coalesce(ReturnRequest.country, UNKNOWN_COUNTRY))
    units = (
        select(func.sum(ReturnLine.quantity))
        .where(ReturnLine.return_id == ReturnRequest.id)
        .correlate(ReturnRequest)
        .scalar_subquery()
    )
    returned = fetch(
        session,
        select(country, func.count(), func.sum(units))
        .where(returned_in(shop_id, period, filters))
        .group_by(country),
    )
    shipped_to = func.upper(func.coalesce(Order.shipping_country, UNKNOWN_COUNTRY))
    sold = dict(
        fetch(
            session,
            select(shipped_to, func.sum(OrderLine.quantity))
            .join(Order, Order.id == OrderLine.order_id)
            .where(sold_in(shop_id, period))
            .group_by(shipped_to),
        )
    )
    rows = [CountryRow(str(c), int(n), int(u or 0), int(sold.get(c) or 0)) for c, n, u in returned]
    rows.sort(key=lambda r: (-r.returns, r.country))
    return tuple(rows)
