"""Why things come back: the reasons shoppers gave, overall and per product."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.analytics.period import Filters, Period, ratio
from core.analytics.sql import returned_in
from core.models import OrderLine, ReturnLine, ReturnReason, ReturnRequest

NO_REASON = "(none given)"


@dataclass(frozen=True)
class ReasonRow:
    """One reason: its code, the label the shop gives it, and the units returned for it."""

    code: str
    label: str
    units: int
    share: Decimal | None  # of all units returned in the same scope


@dataclass(frozen=True)
class ProductReasons:
    """One product's reasons, most given first."""

    product_key: str
    title: str
    units: int
    reasons: tuple[ReasonRow, ...]

    @property
    def top_reason(self) -> ReasonRow | None:
        return self.reasons[0] if self.reasons else None


def _labels(session: Session, shop_id: int) -> dict[str, str]:
    rows = session.execute(
        select(ReturnReason.code, ReturnReason.label).where(ReturnReason.shop_id == shop_id)
    )
    return {code: label for code, label in rows}


def _rows(counts: dict[str, int], labels: dict[str, str]) -> tuple[ReasonRow, ...]:
    total = sum(counts.values())
    rows = [
        ReasonRow(code, labels.get(code, code), units, ratio(units, total))
        for code, units in counts.items()
    ]
    rows.sort(key=lambda r: (-r.units, r.code))
    return tuple(rows)


def reasons_overall(
    session: Session, shop_id: int, period: Period, filters: Filters
) -> tuple[ReasonRow, ...]:
    """Units returned in the period per reason code, with each reason's share of them.

    Lines without a reason count under "(none given)"; labels are the shop's reason
    records' (else the code itself).
    """
    code = func.coalesce(ReturnLine.reason_code, NO_REASON)
    statement = (
        select(code, func.sum(ReturnLine.quantity))
        .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
        .where(returned_in(shop_id, period, filters))
        .group_by(code)
    )
    counts = {str(c): int(n) for c, n in session.execute(statement)}
    return _rows(counts, _labels(session, shop_id))


def reasons_by_product(
    session: Session, shop_id: int, period: Period, filters: Filters
) -> tuple[ProductReasons, ...]:
    """Per product (as in ``return_rate_by_product``), units returned in the period per
    reason, shares within the product; products most returned first."""
    product = func.coalesce(
        OrderLine.product_platform_id, OrderLine.variant_platform_id, OrderLine.title
    )
    code = func.coalesce(ReturnLine.reason_code, NO_REASON)
    statement = (
        select(product, func.max(OrderLine.title), code, func.sum(ReturnLine.quantity))
        .select_from(ReturnLine)
        .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
        .join(OrderLine, OrderLine.id == ReturnLine.order_line_id)
        .where(returned_in(shop_id, period, filters))
        .group_by(product, code)
    )
    titles: dict[str, str] = {}
    counts: dict[str, dict[str, int]] = {}
    for key, title, reason, units in session.execute(statement):
        titles.setdefault(str(key), str(title))
        counts.setdefault(str(key), {})[str(reason)] = int(units)
    labels = _labels(session, shop_id)
    out = [
        ProductReasons(key, titles[key], sum(per.values()), _rows(per, labels))
        for key, per in counts.items()
    ]
    out.sort(key=lambda p: (-p.units, p.product_key))
    return tuple(out)
