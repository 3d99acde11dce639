"""Returns analytics: one function per figure, each over a shop, a period and filters.

Every figure takes ``(session, shop_id, period, filters)`` and returns plain dataclasses;
``compare(figure, ...)`` computes it for the period and for the one before. The queries are
SQLAlchemy Core and run on SQLite and PostgreSQL alike. ``docs/analytics.md`` lists the
definitions.
"""

from core.analytics.customers import (
    RepeatReturners,
    repeat_returners,
    return_rate_by_customer_tag,
    return_rate_by_segment,
)
from core.analytics.geography import CountryRow, returns_by_country
from core.analytics.money import MoneyFigures, money
from core.analytics.period import NO_FILTERS, Compared, Filters, Period, change, compare
from core.analytics.rates import (
    RateRow,
    ReturnRates,
    return_rate_by_collection,
    return_rate_by_price_band,
    return_rate_by_product,
    return_rate_by_variant,
)
from core.analytics.reasons import ProductReasons, ReasonRow, reasons_by_product, reasons_overall
from core.analytics.timing import (
    DeliveryToRequest,
    ProcessingTime,
    StepTime,
    delivery_to_request,
    processing_time,
)
from core.analytics.trend import TrendPoint, trend

__all__ = [
    "NO_FILTERS",
    "Compared",
    "CountryRow",
    "DeliveryToRequest",
    "Filters",
    "MoneyFigures",
    "Period",
    "ProcessingTime",
    "ProductReasons",
    "RateRow",
    "ReasonRow",
    "RepeatReturners",
    "ReturnRates",
    "StepTime",
    "TrendPoint",
    "change",
    "compare",
    "delivery_to_request",
    "money",
    "processing_time",
    "reasons_by_product",
    "reasons_overall",
    "repeat_returners",
    "return_rate_by_collection",
    "return_rate_by_customer_tag",
    "return_rate_by_price_band",
    "return_rate_by_product",
    "return_rate_by_segment",
    "return_rate_by_variant",
    "returns_by_country",
    "trend",
]
