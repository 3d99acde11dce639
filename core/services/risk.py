"""The risk score of a return: 0–100, from factors that each add points and say why.

Computed when a return is requested (``core.services.requests.record_return``) and stored
on it (``risk_score``, ``risk_reasons``); rules can test it (``risk_score: {"min": N}``).
The weights are the shop's settings (``Shop.settings["risk"]``) over ``DEFAULT_WEIGHTS``;
``docs/risk.md`` documents each factor, its trigger and its default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from core.lifecycle import OPEN_OR_DONE
from core.models import Order, OrderLine, ReturnLine, ReturnRequest
from core.policy import OrderContext
from core.services.eligibility import order_context

# Points each factor adds when it holds; a shop overrides any of them.
DEFAULT_WEIGHTS: dict[str, int] = {
    "return_count": 20,
    "return_rate": 15,
    "high_value": 10,
    "serial_returns": 20,
    "claim_without_photo": 25,
    "late_in_window": 10,
    "blocked_customer": 40,
}
# A score at or above this is "high risk": the desk's filter and the rules editor's proposal.
DEFAULT_REVIEW_THRESHOLD = 60
DEFAULT_PHOTO_CLAIMS = ("not_as_described", "damaged")

HISTORY_DAYS = 365
RETURN_COUNT_MIN = 3  # earlier returns in HISTORY_DAYS
RETURN_RATE_MIN = Decimal("0.5")  # of units bought in HISTORY_DAYS, with at least 2 bought
SERIAL_DAYS = 14
SERIAL_MIN = 2  # earlier returns within SERIAL_DAYS
MEDIAN_DAYS = 90
MEDIAN_MIN_RETURNS = 5  # fewer returns than this make no median worth comparing with
HIGH_VALUE_TIMES = 3
LATE_DAYS = 3  # requests this close to the window's end


class RiskSettingsError(ValueError):
    """The shop's risk settings are malformed; the message says which one."""


@dataclass(frozen=True)
class RiskSettings:
    weights: Mapping[str, int]
    review_threshold: int = DEFAULT_REVIEW_THRESHOLD
    photo_claims: frozenset[str] = frozenset(DEFAULT_PHOTO_CLAIMS)


def risk_settings(shop_settings: Mapping[str, Any] | None) -> RiskSettings:
    """The shop's risk settings over the defaults; ``RiskSettingsError`` if malformed."""
    data = (shop_settings or {}).get("risk") or {}
    weights = dict(DEFAULT_WEIGHTS)
    for name, points in (data.get("weights") or {}).items():
        if name not in DEFAULT_WEIGHTS:
            raise RiskSettingsError(
                f"unknown risk factor {name!r}; known: {', '.join(DEFAULT_WEIGHTS)}"
            )
        if not isinstance(points, int) or isinstance(points, bool) or not 0 <= points <= 100:
            raise RiskSettingsError(f"{name}: points are a whole number from 0 to 100")
        weights[name] = points
    threshold = data.get("review_threshold", DEFAULT_REVIEW_THRESHOLD)
    if not isinstance(threshold, int) or isinstance(threshold, bool) or not 0 <= threshold <= 100:
        raise RiskSettingsError("review_threshold is a whole number from 0 to 100")
    claims = data.get("photo_claims", DEFAULT_PHOTO_CLAIMS)
    if not isinstance(claims, list | tuple) or not all(isinstance(c, str) for c in claims):
        raise RiskSettingsError("photo_claims is a list of reason codes")
    return RiskSettings(weights, threshold, frozenset(claims))


@dataclass(frozen=True)
class RiskFactor:
    """One factor that held: its name, the points it added, and why, in one sentence."""

    factor: str
    points: int
    sentence: str


@dataclass(frozen=True)
class RiskAssessment:
    factors: tuple[RiskFactor, ...]

    @property
    def score(self) -> int:
        return min(100, sum(f.points for f in self.factors))

    @property
    def sentences(self) -> list[str]:
        return [f.sentence for f in self.factors]

    def as_json(self) -> list[dict[str, Any]]:
        return [
            {"factor": f.factor, "points": f.points, "sentence": f.sentence} for f in self.factors
        ]


@dataclass(frozen=True)
class RequestedLine:
    """What the shopper asks back of one order line, as the score sees it."""

    order_line_id: int
    quantity: int
    reason_code: str | None = None
    photos: int = 0


def _same_shopper(order: Order) -> ColumnElement[bool]:
    """The shopper's returns: by customer account, else (a guest) by the order's email."""
    if order.customer_id is not None:
        return ReturnRequest.customer_id == order.customer_id
    if order.email:
        return func.lower(ReturnRequest.email) == order.email.lower()
    return ReturnRequest.id.is_(None)


def _history(session: Session, order: Order, now: datetime) -> list[tuple[datetime, int]]:
    """(requested at, units) of the shopper's earlier live returns in HISTORY_DAYS."""
    units = (
        select(func.coalesce(func.sum(ReturnLine.quantity), 0))
        .where(ReturnLine.return_id == ReturnRequest.id)
        .correlate(ReturnRequest)
        .scalar_subquery()
    )
    rows: Sequence[Any] = session.execute(
        select(ReturnRequest.requested_at, units.label("units")).where(
            ReturnRequest.shop_id == order.shop_id,
            _same_shopper(order),
            ReturnRequest.status.in_(OPEN_OR_DONE),
            ReturnRequest.requested_at >= now - timedelta(days=HISTORY_DAYS),
            ReturnRequest.requested_at <= now,
        )
    ).all()
    return [(at, int(n)) for at, n in rows]


def _units_bought(session: Session, order: Order, now: datetime) -> int:
    shopper = (
        Order.customer_id == order.customer_id
        if order.customer_id is not None
        else or_(Order.id == order.id, func.lower(Order.email) == (order.email or "").lower())
    )
    bought = session.scalar(
        select(func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.shop_id == order.shop_id,
            shopper,
            Order.cancelled_at.is_(None),
            Order.ordered_at >= now - timedelta(days=HISTORY_DAYS),
            Order.ordered_at <= now,
        )
    )
    return int(bought or 0)


def _median_return_value(session: Session, shop_id: int, now: datetime) -> Decimal | None:
    """The median value of the shop's live returns of the last MEDIAN_DAYS (the upper
    median for an even count), or None with fewer than MEDIAN_MIN_RETURNS of them."""
    recent = (
        ReturnRequest.shop_id == shop_id,
        ReturnRequest.status.in_(OPEN_OR_DONE),
        ReturnRequest.requested_at >= now - timedelta(days=MEDIAN_DAYS),
    )
    count = session.scalar(select(func.count()).where(*recent)) or 0
    if count < MEDIAN_MIN_RETURNS:
        return None
    return session.scalar(
        select(ReturnRequest.refund_subtotal)
        .where(*recent)
        .order_by(ReturnRequest.refund_subtotal)
        .offset(count // 2)
        .limit(1)
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def assess_request(
    session: Session,
    *,
    order: Order,
    lines: Iterable[RequestedLine],
    deadlines: Mapping[int, datetime | None],
    reason_labels: Mapping[str, str],
    settings: RiskSettings,
    now: datetime,
) -> RiskAssessment:
    """Score a return about to be recorded for ``lines`` of ``order``.

    ``deadlines`` gives each order line's return window end (from the policy's decision),
    ``reason_labels`` the shop's reasons as the shopper read them.
    """
    lines = list(lines)
    by_id = {line.id: line for line in order.lines}
    weights = settings.weights
    found: list[RiskFactor] = []

    def add(factor: str, sentence: str) -> None:
        if weights.get(factor, 0) > 0:
            found.append(RiskFactor(factor, weights[factor], sentence))

    history = _history(session, order, now)
    if len(history) >= RETURN_COUNT_MIN:
        add(
            "return_count",
            f"This customer made {_plural(len(history), 'return')} in the last 12 months.",
        )
    bought = _units_bought(session, order, now)
    returned = sum(units for _, units in history)
    if bought >= 2 and Decimal(returned) / bought >= RETURN_RATE_MIN:
        add(
            "return_rate",
            f"This customer sent back {returned} of the {bought} items they bought in the "
            f"last 12 months ({round(100 * returned / bought)} %).",
        )
    serial = [at for at, _ in history if at >= now - timedelta(days=SERIAL_DAYS)]
    if len(serial) >= SERIAL_MIN:
        add(
            "serial_returns",
            f"This customer made {_plural(len(serial), 'other return')} "
            f"in the last {SERIAL_DAYS} days.",
        )
    value = sum(
        (by_id[li.order_line_id].discounted_unit_price * li.quantity for li in lines), Decimal(0)
    )
    median = _median_return_value(session, order.shop_id, now)
    if median and value >= HIGH_VALUE_TIMES * median:
        add(
            "high_value",
            f"This return is worth {value:.2f} {order.currency}, {value / median:.1f} times the "
            f"shop's median return ({median:.2f}).",
        )
    for li in lines:
        if li.reason_code in settings.photo_claims and li.photos == 0:
            label = reason_labels.get(li.reason_code, li.reason_code)
            add(
                "claim_without_photo",
                f"“{label}” was given for “{by_id[li.order_line_id].title}” without a photo.",
            )
            break
    ends = [d for li in lines if (d := deadlines.get(li.order_line_id)) is not None]
    if ends and (left := min(ends) - now) <= timedelta(days=LATE_DAYS):
        days = max(0, left.days)
        when = "on the last day" if days == 0 else f"{_plural(days, 'day')} before the end"
        add("late_in_window", f"The return was requested {when} of its return window.")
    customer = order.customer
    if customer is not None and customer.list_status == "block":
        add("blocked_customer", "This customer is on the shop's block list.")
    return RiskAssessment(tuple(found))


def scored_context(session: Session, request: ReturnRequest) -> OrderContext:
    """A past return's order as the rules saw it: its reasons and the score it was given
    (0 if none), for dry runs of rules that test ``risk_score``."""
    reasons: dict[int, str | None] = {li.order_line_id: li.reason_code for li in request.lines}
    context = order_context(session, request.order, reasons)
    return replace(context, risk_score=request.risk_score or 0)
