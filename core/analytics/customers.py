"""Who returns: repeat returners, and return rates by customer segment and tag."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from core.analytics.period import Filters, Period, ratio
from core.analytics.rates import UNCATEGORISED, RateRow, ReturnRates
from core.analytics.sql import fetch, returned_in, sold_in
from core.models import Customer, Order, OrderLine, ReturnLine, ReturnRequest

SEGMENTS = ("new", "returning", "guest")


@dataclass(frozen=True)
class Returner:
    customer_id: int
    email: str | None
    returns: int
    units: int


@dataclass(frozen=True)
class RepeatReturners:
    """Customers with two returns or more requested in the period, most returns first."""

    customers_returning: int  # customers with at least one return
    returns: int  # returns by known customers
    repeaters: tuple[Returner, ...]

    @property
    def repeat_share(self) -> Decimal | None:
        """The share of known customers' returns that came from repeat returners."""
        return ratio(sum(r.returns for r in self.repeaters), self.returns)


def repeat_returners(
    session: Session, shop_id: int, period: Period, filters: Filters, limit: int = 50
) -> RepeatReturners:
    """Per customer account, the returns requested in the period; repeaters are those with
    two or more (the ``limit`` first listed); returns without an account are left out."""
    units = (
        select(func.sum(ReturnLine.quantity))
        .where(ReturnLine.return_id == ReturnRequest.id)
        .correlate(ReturnRequest)
        .scalar_subquery()
    )
    per_customer = (
        select(
            ReturnRequest.customer_id.label("customer_id"),
            func.count().label("returns"),
            func.sum(units).label("units"),
        )
        .where(returned_in(shop_id, period, filters), ReturnRequest.customer_id.is_not(None))
        .group_by(ReturnRequest.customer_id)
        .subquery()
    )
    customers, returns = fetch(
        session, select(func.count(), func.coalesce(func.sum(per_customer.c.returns), 0))
    )[0]
    rows = fetch(
        session,
        select(per_customer, Customer.email)
        .join(Customer, Customer.id == per_customer.c.customer_id)
        .where(per_customer.c.returns >= 2)
        .order_by(per_customer.c.returns.desc(), per_customer.c.customer_id)
        .limit(limit),
    )
    repeaters = tuple(Returner(cid, email, int(n), int(u or 0)) for cid, n, u, email in rows)
    return RepeatReturners(int(customers), int(returns), repeaters)


def _segment(order: Any) -> Any:
    """ "new" if the order is its customer's first (no earlier live order), "returning" if
    not, "guest" without a customer account."""
    earlier = aliased(Order)
    has_earlier = exists().where(
        and_(
            earlier.shop_id == order.shop_id,
            earlier.customer_id == order.customer_id,
            earlier.ordered_at < order.ordered_at,
            earlier.cancelled_at.is_(None),
            earlier.deleted_at.is_(None),
        )
    )
    return case(
        (order.customer_id.is_(None), literal("guest")),
        (has_earlier, literal("returning")),
        else_=literal("new"),
    )


def return_rate_by_segment(
    session: Session, shop_id: int, period: Period, filters: Filters
) -> ReturnRates:
    """Units returned ÷ units sold in the period, by the segment of the line's order:
    "new" (the customer's first order), "returning" (the customer ordered before), "guest"
    (no customer account). Rows in that order."""
    segment = _segment(Order)
    sold = dict(
        fetch(
            session,
            select(segment, func.sum(OrderLine.quantity))
            .join(Order, Order.id == OrderLine.order_id)
            .where(sold_in(shop_id, period))
            .group_by(segment),
        )
    )
    returned = dict(
        fetch(
            session,
            select(segment, func.sum(ReturnLine.quantity))
            .select_from(ReturnLine)
            .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
            .join(Order, Order.id == ReturnRequest.order_id)
            .where(returned_in(shop_id, period, filters))
            .group_by(segment),
        )
    )
    rows = tuple(RateRow(s, s, int(sold.get(s) or 0), int(returned.get(s) or 0)) for s in SEGMENTS)
    return ReturnRates(rows, sum(r.units_sold for r in rows), sum(r.units_returned for r in rows))


def return_rate_by_customer_tag(
    session: Session, shop_id: int, period: Period, filters: Filters
) -> ReturnRates:
    """Units returned ÷ units sold in the period, by each tag of the order's customer.

    A customer with two tags counts in both; units of guests and untagged customers count
    under "(none)". Tags compare without case.
    """
    tags = Customer.tags
    sold = fetch(
        session,
        select(tags, func.sum(OrderLine.quantity))
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .outerjoin(Customer, Customer.id == Order.customer_id)
        .where(sold_in(shop_id, period))
        .group_by(tags),
    )
    returned = fetch(
        session,
        select(tags, func.sum(ReturnLine.quantity))
        .select_from(ReturnLine)
        .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
        .join(Order, Order.id == ReturnRequest.order_id)
        .outerjoin(Customer, Customer.id == Order.customer_id)
        .where(returned_in(shop_id, period, filters))
        .group_by(tags),
    )

    def by_tag(rows: Any) -> dict[str, int]:
        out: dict[str, int] = {}
        for tag_list, units in rows:
            for tag in {t.lower() for t in tag_list or ()} or {UNCATEGORISED}:
                out[tag] = out.get(tag, 0) + int(units or 0)
        return out

    sold_by, returned_by = by_tag(sold), by_tag(returned)
    rows = [
        RateRow(tag, tag, sold_by.get(tag, 0), returned_by.get(tag, 0))
        for tag in sold_by.keys() | returned_by.keys()
    ]
    rows.sort(key=lambda r: (-r.units_returned, -r.units_sold, r.key))
    return ReturnRates(
        tuple(rows), sum(int(n or 0) for _, n in sold), sum(int(n or 0) for _, n in returned)
    )
