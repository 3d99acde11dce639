"""How amounts and stored values read on a page."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.enums import ReturnStatus
from webapp.filters import label, money


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("48.0000"), "USD", "48.00 USD"),
        (Decimal("1234.5"), "EUR", "1,234.50 EUR"),
        (Decimal("1200.0000"), "JPY", "1,200 JPY"),
        (Decimal("0.005"), "USD", "0.01 USD"),
    ],
)
def test_money_shows_the_currencys_minor_units(amount, currency, shown):
    assert money(amount, currency) == shown


def test_labels_read_as_words():
    assert label(ReturnStatus.NEEDS_REVIEW) == "needs review"
    assert label(None) == "—"
