"""Template filters: how amounts and statuses read on a page."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from flask import Flask

# ISO 4217 currencies without minor units, as shoppers see them (no "¥1,200.00").
ZERO_DECIMAL = frozenset({"CLP", "ISK", "JPY", "KRW", "VND"})


def money(amount: Decimal, currency: str) -> str:
    """``48.0000`` and ``USD`` as ``48.00 USD``; yen and won without decimals."""
    unit = Decimal(1) if currency.upper() in ZERO_DECIMAL else Decimal("0.01")
    # Half up, as a till rounds; Python's default (half even) would show 0.005 as 0.00.
    return f"{amount.quantize(unit, ROUND_HALF_UP):,} {currency}"


def label(value: StrEnum | str | None) -> str:
    """A stored value as words: ``needs_review`` as ``needs review``."""
    return "—" if value is None else str(value).replace("_", " ")


def init_filters(app: Flask) -> None:
    """Make the filters available to every template."""
    app.add_template_filter(money)
    app.add_template_filter(label)
