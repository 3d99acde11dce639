"""The period a figure covers, the filters it takes, and the comparison with the period before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from core.enums import Channel

PRESET_DAYS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}


@dataclass(frozen=True)
class Period:
    """From ``start`` (included) to ``end`` (excluded), both aware datetimes in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a period's bounds must carry a time zone")
        if self.end <= self.start:
            raise ValueError("a period must end after it starts")

    @classmethod
    def last(cls, days: int, now: datetime) -> Period:
        """The ``days`` days up to ``now``."""
        return cls(now - timedelta(days=days), now)

    @classmethod
    def preset(cls, name: str, now: datetime) -> Period:
        """One of ``PRESET_DAYS`` ("7d", "30d", "90d", "365d") ending ``now``."""
        if name not in PRESET_DAYS:
            raise ValueError(f"unknown period {name!r}; known: {', '.join(PRESET_DAYS)}")
        return cls.last(PRESET_DAYS[name], now)

    @classmethod
    def from_dates(cls, first: date, last: date) -> Period:
        """The UTC days from ``first`` to ``last``, both included (a custom range)."""
        return cls(
            datetime.combine(first, time(), UTC),
            datetime.combine(last + timedelta(days=1), time(), UTC),
        )

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def previous(self) -> Period:
        """The period of the same length that ends where this one starts."""
        return Period(self.start - self.length, self.start)


@dataclass(frozen=True)
class Filters:
    """What narrows the returns a figure counts.

    ``channel`` is where the return was started (the portal, Shopify's customer account,
    the WooCommerce plugin, the admin); units sold are never narrowed by it, since a sale
    has no return channel.
    """

    channel: Channel | None = None


NO_FILTERS = Filters()

Figure = TypeVar("Figure")


@dataclass(frozen=True)
class Compared(Generic[Figure]):
    """A figure over a period and over the period before it."""

    period: Period
    current: Figure
    previous: Figure


def compare(
    figure: Callable[[Session, int, Period, Filters], Figure],
    session: Session,
    shop_id: int,
    period: Period,
    filters: Filters = NO_FILTERS,
) -> Compared[Figure]:
    """Compute ``figure`` for ``period`` and for ``period.previous()``."""
    return Compared(
        period,
        figure(session, shop_id, period, filters),
        figure(session, shop_id, period.previous(), filters),
    )


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part / whole`` to four places, or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def change(current: Decimal | int | None, previous: Decimal | int | None) -> Decimal | None:
    """The relative change from ``previous`` to ``current`` (0.25 is +25 %), or None."""
    if current is None or not previous:
        return None
    return ((Decimal(current) - Decimal(previous)) / Decimal(previous)).quantize(Decimal("0.0001"))
