"""Return rates: units returned ÷ units sold, by product, variant, collection and price band.

Units sold are the order lines of orders placed in the period (``sold_in``); units returned
are the return lines of returns requested in the period (``returned_in``), whenever their
order was placed. A product that sold before the period and came back in it can therefore
have a rate above 1 over a short period; over a longer one the two converge.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, String, case, cast, func, literal, select
from sqlalchemy.orm import Session

from core.analytics.period import Filters, Period, ratio
from core.analytics.sql import fetch, returned_in, sold_in
from core.models import Order, OrderLine, ReturnLine, ReturnRequest, Variant

# Upper bounds of the price bands (per unit, after discounts), in the shop's currency.
DEFAULT_PRICE_BANDS = (Decimal(25), Decimal(50), Decimal(100), Decimal(200))
UNCATEGORISED = "(none)"


@dataclass(frozen=True)
class RateRow:
    """One product, variant, collection or band: its units sold and returned."""

    key: str
    label: str
    units_sold: int
    units_returned: int

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.units_returned, self.units_sold)


@dataclass(frozen=True)
class ReturnRates:
    """Rows most returned first, and the shop's totals over the same period."""

    rows: tuple[RateRow, ...]
    units_sold: int
    units_returned: int

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.units_returned, self.units_sold)


def _units(
    session: Session, shop_id: int, period: Period, filters: Filters, key: Any, label: Any
) -> tuple[dict[str, tuple[str, int]], dict[str, tuple[str, int]]]:
    """key → (label, units) for the units sold and for the units returned."""
    sold = (
        select(key, func.max(label), func.sum(OrderLine.quantity))
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .outerjoin(Variant, Variant.id == OrderLine.variant_id)
        .where(sold_in(shop_id, period))
        .group_by(key)
    )
    returned = (
        select(key, func.max(label), func.sum(ReturnLine.quantity))
        .select_from(ReturnLine)
        .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
        .join(OrderLine, OrderLine.id == ReturnLine.order_line_id)
        .outerjoin(Variant, Variant.id == OrderLine.variant_id)
        .where(returned_in(shop_id, period, filters))
        .group_by(key)
    )

    def collect(statement: Any) -> dict[str, tuple[str, int]]:
        return {str(k): (str(lb), int(n or 0)) for k, lb, n in fetch(session, statement)}

    return collect(sold), collect(returned)


def _merge(sold: dict[str, tuple[str, int]], returned: dict[str, tuple[str, int]]) -> ReturnRates:
    rows = [
        RateRow(
            key,
            (returned.get(key) or sold[key])[0],
            sold.get(key, ("", 0))[1],
            returned.get(key, ("", 0))[1],
        )
        for key in sold.keys() | returned.keys()
    ]
    rows.sort(key=lambda r: (-r.units_returned, -r.units_sold, r.key))
    return ReturnRates(
        tuple(rows),
        sum(n for _, n in sold.values()),
        sum(n for _, n in returned.values()),
    )


def _text(value: Any) -> ColumnElement[str]:
    return cast(value, String)


def return_rate_by_product(
    session: Session, shop_id: int, period: Period, filters: Filters
) -> ReturnRates:
    """Per product: units returned in the period ÷ units sold in the period.

    A product is the store's product id of the line (else its variant id, else its title);
    its label the product's title as the catalogue has it, else the line's title.
    """
    key = func.coalesce(
        OrderLine.product_platform_id, OrderLine.variant_platform_id, OrderLine.title
    )
    label = func.coalesce(func.nullif(Variant.product_title, ""), OrderLine.title)
    return _merge(*_units(session, shop_id, period, filters, key, label))


def return_rate_by_variant(
    session: Session, shop_id: int, period: Period, filters: Filters
) -> ReturnRates:
    """Per variant (the unit sold: size, colour): units returned ÷ units sold in the period.

    A variant is the store's variant id of the line (else its SKU, else its title); its
    label is the line's title and the SKU.
    """
    key = func.coalesce(OrderLine.variant_platform_id, OrderLine.sku, OrderLine.title)
    sku = func.coalesce(OrderLine.sku, "")
    label = case((sku == "", OrderLine.title), else_=OrderLine.title + literal(" · ") + sku)
    return _merge(*_units(session, shop_id, period, filters, key, label))


def return_rate_by_collection(
    session: Session, shop_id: int, period: Period, filters: Filters
) -> ReturnRates:
    """Per collection (Shopify) or category (WooCommerce) of the variant: units returned ÷
    units sold in the period.

    A variant in two collections counts in both, so the rows add up to more than the
    totals; units of lines with no known variant or no collection count under "(none)".
    """
    key = func.coalesce(_text(OrderLine.variant_id), "")
    sold, returned = _units(session, shop_id, period, filters, key, literal(""))
    ids = [int(k) for k in sold.keys() | returned.keys() if k]
    collections: dict[str, Sequence[str]] = {}
    if ids:
        found = fetch(
            session,
            select(Variant.id, Variant.collections).where(
                Variant.shop_id == shop_id, Variant.id.in_(ids)
            ),
        )
        collections = {str(vid): list(cs or ()) for vid, cs in found}

    def by_collection(units: dict[str, tuple[str, int]]) -> dict[str, tuple[str, int]]:
        out: dict[str, int] = {}
        for variant, (_, n) in units.items():
            for handle in collections.get(variant) or (UNCATEGORISED,):
                out[handle] = out.get(handle, 0) + n
        return {handle: (handle, n) for handle, n in out.items()}

    merged = _merge(by_collection(sold), by_collection(returned))
    return ReturnRates(merged.rows, _total(sold.values()), _total(returned.values()))


def _total(units: Iterable[tuple[str, int]]) -> int:
    return sum(n for _, n in units)


def price_band_labels(bands: Sequence[Decimal]) -> list[str]:
    """``under 25``, ``25–50``, …, ``200 and over`` for the upper bounds given."""
    labels = [f"under {bands[0]}"] if bands else []
    labels += [f"{low}–{high}" for low, high in zip(bands, bands[1:], strict=False)]
    labels.append(f"{bands[-1]} and over" if bands else "all")
    return labels


def return_rate_by_price_band(
    session: Session,
    shop_id: int,
    period: Period,
    filters: Filters,
    bands: Sequence[Decimal] = DEFAULT_PRICE_BANDS,
) -> ReturnRates:
    """Per band of the unit price paid (after discounts): units returned ÷ units sold in the
    period. Bands run from a bound (included) to the next (excluded); every band is a row,
    in band order."""
    price = OrderLine.discounted_unit_price
    whens = [(price < bound, literal(i)) for i, bound in enumerate(bands)]
    key = case(*whens, else_=literal(len(bands))) if whens else literal(0)
    labels = price_band_labels(bands)
    sold, returned = _units(session, shop_id, period, filters, key, literal(""))
    rows = tuple(
        RateRow(str(i), label, sold.get(str(i), ("", 0))[1], returned.get(str(i), ("", 0))[1])
        for i, label in enumerate(labels)
    )
    return ReturnRates(rows, _total(sold.values()), _total(returned.values()))
