"""Every figure of ``core.analytics`` on the hand-made shop of ``dataset.py``.

The right answers are worked out by hand from the tables in that module's docstring; the
db fixture follows ``DATABASE_URL``, so the same answers hold on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from core import analytics as a
from core.enums import Channel
from tests.core.analytics.dataset import PERIOD, Dataset, build

ALL = a.NO_FILTERS


@pytest.fixture
def shop(db) -> Dataset:
    return build(db)


def rows(rates: a.ReturnRates) -> list[tuple[str, int, int, D | None]]:
    return [(r.key, r.units_sold, r.units_returned, r.rate) for r in rates.rows]


def test_return_rate_by_product(db, shop):
    rates = a.return_rate_by_product(db, shop.shop.id, PERIOD, ALL)
    # Tee: 5 units back (R1, R2 ×2, R4, R5; R3 was rejected) of 6 sold; R4's tee was sold in May.
    assert rows(rates) == [
        ("P-TEE", 6, 5, D("0.8333")),
        ("P-JKT", 1, 1, D("1.0000")),
        ("Gift wrap", 1, 0, D(0)),
    ]
    assert [r.label for r in rates.rows] == ["Tee", "Jacket", "Gift wrap"]
    assert (rates.units_sold, rates.units_returned, rates.rate) == (8, 6, D("0.7500"))


def test_return_rate_by_variant_and_by_channel(db, shop):
    rates = a.return_rate_by_variant(db, shop.shop.id, PERIOD, ALL)
    assert rows(rates) == [
        ("tee-s", 5, 5, D("1.0000")),
        ("jkt", 1, 1, D("1.0000")),
        ("Gift wrap", 1, 0, D(0)),
        ("tee-m", 1, 0, D(0)),
    ]
    assert rates.rows[0].label == "Tee / S · TEE-S"
    # Only R2 was started in Shopify; units sold are not narrowed by a return channel.
    shopify = a.return_rate_by_variant(db, shop.shop.id, PERIOD, a.Filters(Channel.SHOPIFY))
    assert rows(shopify)[0] == ("tee-s", 5, 2, D("0.4000"))
    assert (shopify.units_sold, shopify.units_returned) == (8, 2)


def test_return_rate_by_collection(db, shop):
    rates = a.return_rate_by_collection(db, shop.shop.id, PERIOD, ALL)
    assert rows(rates) == [
        ("sale", 6, 5, D("0.8333")),
        ("tops", 6, 5, D("0.8333")),
        ("outerwear", 1, 1, D("1.0000")),
        ("(none)", 1, 0, D(0)),
    ]
    assert (rates.units_sold, rates.units_returned) == (8, 6)


def test_return_rate_by_price_band(db, shop):
    rates = a.return_rate_by_price_band(db, shop.shop.id, PERIOD, ALL)
    assert [(r.label, r.units_sold, r.units_returned) for r in rates.rows] == [
        ("under 25", 7, 5),
        ("25–50", 0, 0),
        ("50–100", 0, 0),
        ("100–200", 1, 1),
        ("200 and over", 0, 0),
    ]
    assert rates.rows[1].rate is None


def test_reasons_overall_and_per_product(db, shop):
    overall = a.reasons_overall(db, shop.shop.id, PERIOD, ALL)
    assert [(r.code, r.label, r.units, r.share) for r in overall] == [
        ("too_small", "Too small", 3, D("0.5000")),
        ("(none given)", "(none given)", 1, D("0.1667")),
        ("damaged", "Arrived damaged", 1, D("0.1667")),
        ("too_big", "too_big", 1, D("0.1667")),
    ]
    products = a.reasons_by_product(db, shop.shop.id, PERIOD, ALL)
    assert [(p.product_key, p.units) for p in products] == [("P-TEE", 5), ("P-JKT", 1)]
    tee = products[0]
    assert tee.top_reason is not None
    assert (tee.top_reason.code, tee.top_reason.units, tee.top_reason.share) == (
        "too_small",
        3,
        D("0.6000"),
    )
    assert [(r.code, r.units) for r in products[1].reasons] == [("damaged", 1)]


def test_delivery_to_request(db, shop):
    figure = a.delivery_to_request(db, shop.shop.id, PERIOD, ALL)
    # R1 2 days, R2 2, R4 12, R5 9.
    assert figure.returns == 4
    assert figure.mean_days == D("6.25")
    assert figure.buckets == (
        ("0–2 days", 2),
        ("3–7 days", 0),
        ("8–14 days", 2),
        ("15–30 days", 0),
        ("31+ days", 0),
    )


def test_processing_time_and_slowest_step(db, shop):
    figure = a.processing_time(db, shop.shop.id, PERIOD, ALL)
    assert [(s.step, s.returns, s.mean_days) for s in figure.to_resolution] == [
        ("refund", 1, D("6.0")),
        ("store_credit", 1, D("6.5")),
    ]
    assert [(s.step, s.returns, s.mean_days) for s in figure.steps] == [
        ("approval", 3, D("0.42")),  # R1 1 day, R2 0, R4 0.25
        ("shipping", 1, D("1.0")),
        ("transit", 1, D("3.0")),
        ("grading", 1, D("0.5")),
        ("settlement", 2, D("0.75")),  # R1's refund 0.5 day after grading, its credit 1
    ]
    assert figure.slowest_step is not None
    assert figure.slowest_step.step == "transit"


def test_money_and_its_previous_period(db, shop):
    compared = a.compare(a.money, db, shop.shop.id, PERIOD)
    (usd,) = compared.current
    assert (usd.currency, usd.refunded, usd.store_credit, usd.exchanged) == (
        "USD",
        D("18"),
        D("130"),
        D("0"),
    )
    assert (usd.bonuses, usd.fees, usd.written_off) == (D("10"), D("2"), D("120"))
    assert (usd.retained, usd.settled, usd.retained_share) == (D("130"), D("148"), D("0.8784"))
    (before,) = compared.previous
    assert (before.refunded, before.retained_share) == (D("20"), D(0))
    assert compared.period.previous() == a.Period(PERIOD.start - PERIOD.length, PERIOD.start)


def test_repeat_returners(db, shop):
    figure = a.repeat_returners(db, shop.shop.id, PERIOD, ALL)
    # Ann: R1 and R5; Bob's only return was rejected; guests have no account.
    assert (figure.customers_returning, figure.returns) == (1, 2)
    assert [(r.customer_id, r.email, r.returns, r.units) for r in figure.repeaters] == [
        (shop.ann.id, "ann@example.com", 2, 3)
    ]
    assert figure.repeat_share == D("1.0000")


def test_return_rate_by_segment_and_tag(db, shop):
    segments = a.return_rate_by_segment(db, shop.shop.id, PERIOD, ALL)
    # Ann ordered in May before O1: returning; Bob's O2 is his first: new; O3 and O5 guests.
    assert rows(segments) == [
        ("new", 2, 0, D(0)),
        ("returning", 3, 3, D("1.0000")),
        ("guest", 3, 3, D("1.0000")),
    ]
    tags = a.return_rate_by_customer_tag(db, shop.shop.id, PERIOD, ALL)
    assert rows(tags) == [("(none)", 5, 3, D("0.6000")), ("vip", 3, 3, D("1.0000"))]
    assert (tags.units_sold, tags.units_returned) == (8, 6)


def test_returns_by_country(db, shop):
    figure = a.returns_by_country(db, shop.shop.id, PERIOD, ALL)
    assert [(c.country, c.returns, c.units_returned, c.units_sold, c.rate) for c in figure] == [
        ("US", 3, 4, 3, D("1.3333")),
        ("DE", 1, 2, 3, D("0.6667")),
    ]


def test_trend_per_day_and_week(db, shop):
    days = a.trend(db, shop.shop.id, PERIOD, ALL)
    assert [p.start for p in days] == [date(2026, 6, d) for d in range(1, 15)]
    busy = {
        p.start.day: (p.requests, p.units_returned, p.units_sold, p.settled, p.retained)
        for p in days
        if p.requests or p.units_sold
    }
    assert busy == {
        2: (0, 0, 3, D(0), D(0)),
        3: (1, 1, 2, D(0), D(0)),
        5: (0, 0, 3, D(0), D(0)),
        6: (1, 2, 0, D("148"), D("130")),
        9: (1, 2, 0, D(0), D(0)),
        13: (1, 1, 0, D(0), D(0)),
    }
    weeks = a.trend(db, shop.shop.id, PERIOD, ALL, step="week")
    assert [(p.start, p.requests, p.units_returned, p.units_sold) for p in weeks] == [
        (date(2026, 6, 1), 2, 3, 8),
        (date(2026, 6, 8), 2, 3, 0),
    ]
    assert (weeks[0].rate, weeks[0].retained_share, weeks[1].rate) == (
        D("0.3750"),
        D("0.8784"),
        None,
    )


def test_comparison_with_the_previous_period(db, shop):
    compared = a.compare(a.return_rate_by_product, db, shop.shop.id, PERIOD)
    # 18 May – 1 June: O5's 4 tees sold, R6's one back.
    assert rows(compared.previous) == [("P-TEE", 4, 1, D("0.2500"))]
    assert a.change(compared.current.rate, compared.previous.rate) == D("2.0000")


def test_another_shop_sees_nothing(db, shop, factory):
    other = factory.shop()
    assert a.return_rate_by_product(db, other.id, PERIOD, ALL).rows == ()
    assert a.money(db, other.id, PERIOD, ALL) == ()
    assert a.trend(db, other.id, PERIOD, ALL)[0].requests == 0


def test_periods_presets_and_custom_ranges():
    assert a.Period.from_dates(date(2026, 6, 1), date(2026, 6, 14)) == PERIOD
    assert a.Period.preset("90d", PERIOD.end).start == datetime(2026, 3, 17, tzinfo=UTC)
    with pytest.raises(ValueError, match="unknown period 'forever'"):
        a.Period.preset("forever", PERIOD.end)
    with pytest.raises(ValueError, match="must end after it starts"):
        a.Period(PERIOD.end, PERIOD.start)
