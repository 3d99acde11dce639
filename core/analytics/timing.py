"""How long things take: delivery to request, and request to refund, credit or replacement."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from core.analytics.period import Filters, Period
from core.analytics.sql import days_between, fetch, returned_in
from core.enums import LedgerState, ResolutionKind
from core.models import Order, ReturnRequest, Settlement

# Upper bounds (days, excluded) of the delivery-to-request histogram; the last bar is open.
DELIVERY_BUCKETS = (3, 8, 15, 31)

# The steps of a return, each from one timestamp of the return to the next.
STEPS = (
    ("approval", "requested_at", "approved_at"),
    ("shipping", "approved_at", "in_transit_at"),
    ("transit", "in_transit_at", "received_at"),
    ("grading", "received_at", "graded_at"),
)
SETTLEMENT_STEP = "settlement"


def _days(value: Any) -> Decimal | None:
    """Days from the database's float, to two places."""
    return None if value is None else Decimal(str(round(float(value), 2)))


@dataclass(frozen=True)
class DeliveryToRequest:
    """How soon after delivery shoppers ask: mean days and a histogram."""

    returns: int  # returns whose order has a delivery (or fulfilment) time
    mean_days: Decimal | None
    buckets: tuple[tuple[str, int], ...]  # ("0–2 days", n), …, ("31+ days", n)


def _bucket_labels() -> list[str]:
    labels, low = [], 0
    for high in DELIVERY_BUCKETS:
        labels.append(f"{low}–{high - 1} days")
        low = high
    labels.append(f"{low}+ days")
    return labels


def delivery_to_request(
    session: Session, shop_id: int, period: Period, filters: Filters
) -> DeliveryToRequest:
    """Days from the order's delivery (else its fulfilment) to the return's request, over
    the returns requested in the period: the mean, and how many fall in each bucket of
    whole days elapsed (0–2, 3–7, 8–14, 15–30, 31+)."""
    since = func.coalesce(Order.delivered_at, Order.fulfilled_at)
    elapsed = days_between(since, ReturnRequest.requested_at)
    whens = [(elapsed < high, literal(i)) for i, high in enumerate(DELIVERY_BUCKETS)]
    bucket = case(*whens, else_=literal(len(DELIVERY_BUCKETS)))
    statement = (
        select(bucket, func.count(), func.sum(elapsed))
        .select_from(ReturnRequest)
        .join(Order, Order.id == ReturnRequest.order_id)
        .where(returned_in(shop_id, period, filters), since.is_not(None))
        .group_by(bucket)
    )
    counts = dict.fromkeys(range(len(DELIVERY_BUCKETS) + 1), 0)
    total_days, returns = 0.0, 0
    for index, n, days in fetch(session, statement):
        counts[int(index)] = int(n)
        returns += int(n)
        total_days += float(days or 0)
    labels = _bucket_labels()
    return DeliveryToRequest(
        returns,
        _days(total_days / returns) if returns else None,
        tuple((labels[i], counts[i]) for i in sorted(counts)),
    )


@dataclass(frozen=True)
class StepTime:
    """One step of the returns that went through it: how many, and mean days."""

    step: str
    returns: int
    mean_days: Decimal | None


@dataclass(frozen=True)
class ProcessingTime:
    """Request to resolution per kind, the steps on the way, and the slowest of them."""

    to_resolution: tuple[StepTime, ...]  # step named by the kind: refund, store_credit, …
    steps: tuple[StepTime, ...]

    @property
    def slowest_step(self) -> StepTime | None:
        timed = [s for s in self.steps if s.mean_days is not None]
        return max(timed, key=lambda s: s.mean_days or 0) if timed else None


def processing_time(
    session: Session, shop_id: int, period: Period, filters: Filters
) -> ProcessingTime:
    """For returns requested in the period, mean days:

    - from the request to the store applying each kind of settlement (refund, store credit,
      exchange), over the settlements applied;
    - of each step: approval (request → approved), shipping (approved → in transit),
      transit (in transit → received), grading (received → graded) and settlement (graded
      → settlement applied), each over the returns that have both ends of it.

    The slowest step is the one with the largest mean.
    """
    where = returned_in(shop_id, period, filters)
    columns = [
        column
        for _, start, end in STEPS
        for column in _step_columns(getattr(ReturnRequest, start), getattr(ReturnRequest, end))
    ]
    step_rows = fetch(session, select(*columns).where(where))[0]
    steps = [
        StepTime(name, int(step_rows[2 * i] or 0), _days(step_rows[2 * i + 1]))
        for i, (name, _, _) in enumerate(STEPS)
    ]
    applied = (
        select(
            ReturnRequest.requested_at,
            ReturnRequest.graded_at,
            Settlement.kind,
            Settlement.applied_at,
        )
        .join(Settlement, Settlement.return_id == ReturnRequest.id)
        .where(where, Settlement.state == LedgerState.APPLIED, Settlement.applied_at.is_not(None))
        .subquery()
    )
    per_kind = fetch(
        session,
        select(
            applied.c.kind,
            func.count(),
            func.avg(days_between(applied.c.requested_at, applied.c.applied_at)),
        ).group_by(applied.c.kind),
    )
    found = {ResolutionKind(kind): (int(n), _days(mean)) for kind, n, mean in per_kind}
    to_resolution = tuple(
        StepTime(kind.value, *found[kind]) for kind in ResolutionKind if kind in found
    )
    settled = fetch(session, select(*_step_columns(applied.c.graded_at, applied.c.applied_at)))[0]
    steps.append(StepTime(SETTLEMENT_STEP, int(settled[0] or 0), _days(settled[1])))
    return ProcessingTime(to_resolution, tuple(steps))


def _step_columns(start: Any, end: Any) -> list[Any]:
    """How many rows have both ends, and the mean days between them over those rows."""
    both = start.is_not(None) & end.is_not(None)
    return [
        func.sum(case((both, 1), else_=0)),
        func.avg(case((both, days_between(start, end)), else_=None)),
    ]
