"""Money: refunded, kept as store credit or exchanges, fees earned, written off."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.analytics.period import Filters, Period, ratio
from core.analytics.sql import returned_in
from core.enums import Disposition, LedgerState, ResolutionKind
from core.models import ReturnLine, ReturnRequest, Settlement

WRITE_OFF_DISPOSITIONS = (Disposition.DISPOSE, Disposition.RETURN_TO_VENDOR)
ZERO = Decimal("0.0000")


@dataclass(frozen=True)
class MoneyFigures:
    """One currency's money of the returns requested in a period."""

    currency: str
    refunded: Decimal = ZERO
    store_credit: Decimal = ZERO
    exchanged: Decimal = ZERO
    bonuses: Decimal = ZERO  # store-credit bonuses given, included in ``store_credit``
    fees: Decimal = ZERO
    written_off: Decimal = ZERO

    @property
    def settled(self) -> Decimal:
        return self.refunded + self.store_credit + self.exchanged

    @property
    def retained(self) -> Decimal:
        """What stayed with the shop instead of going back to the shopper's payment."""
        return self.store_credit + self.exchanged

    @property
    def retained_share(self) -> Decimal | None:
        return ratio(self.retained, self.settled)


def money(
    session: Session, shop_id: int, period: Period, filters: Filters
) -> tuple[MoneyFigures, ...]:
    """Per currency, over the returns requested in the period:

    - refunded, store credit, exchanged: the amounts of the settlements the store has
      applied, by kind (a kept item is refunded); store credit includes its bonus;
    - retained share: (store credit + exchanged) ÷ (refunded + store credit + exchanged);
    - fees: the return fees deducted by those settlements;
    - written off: the value (unit amount × units received) of the lines whose disposition
      is "dispose" or "return to vendor".

    Return shipping is not counted: Reshelf keeps no label cost yet.
    """
    where = returned_in(shop_id, period, filters)
    settled = session.execute(
        select(
            Settlement.currency,
            Settlement.kind,
            func.sum(Settlement.amount),
            func.sum(Settlement.bonus),
            func.sum(Settlement.fee),
        )
        .join(ReturnRequest, ReturnRequest.id == Settlement.return_id)
        .where(where, Settlement.state == LedgerState.APPLIED)
        .group_by(Settlement.currency, Settlement.kind)
    )
    figures: dict[str, dict[str, Decimal]] = {}
    for currency, kind, amount, bonus, fee in settled:
        row = figures.setdefault(currency, {})
        field = {
            ResolutionKind.REFUND: "refunded",
            ResolutionKind.KEEP_ITEM: "refunded",
            ResolutionKind.STORE_CREDIT: "store_credit",
            ResolutionKind.EXCHANGE: "exchanged",
        }[ResolutionKind(kind)]
        row[field] = row.get(field, ZERO) + Decimal(amount)
        row["bonuses"] = row.get("bonuses", ZERO) + Decimal(bonus)
        row["fees"] = row.get("fees", ZERO) + Decimal(fee)
    written = session.execute(
        select(ReturnLine.currency, func.sum(ReturnLine.unit_amount * ReturnLine.received_quantity))
        .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
        .where(where, ReturnLine.disposition.in_(WRITE_OFF_DISPOSITIONS))
        .group_by(ReturnLine.currency)
    )
    for currency, value in written:
        figures.setdefault(currency, {})["written_off"] = _money(value)
    return tuple(
        MoneyFigures(currency, **{k: _money(v) for k, v in row.items()})
        for currency, row in sorted(figures.items())
    )


def _money(value: object) -> Decimal:
    """A sum as money to four places (SQLite hands back a float for a product of columns)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.0001"))
