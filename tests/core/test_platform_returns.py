"""A return started on the store goes through ``adopt_platform_return``, one transaction."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.enums import Channel, ReturnStatus
from core.errors import RetriableStoreError
from core.models import ReturnRequest
from core.services.platform_returns import (
    PlatformReturn,
    adopt_platform_return,
    find_platform_return,
)


@pytest.fixture
def setup(db, factory):
    shop = factory.shop()
    order = factory.order(shop, [(factory.variant(shop), 2, Decimal("10.00"))])
    db.commit()
    return shop, order


def started(order_id: str, line_id: str, quantity: int = 1) -> PlatformReturn:
    """A store return of one line."""
    return PlatformReturn(
        platform_return_id="gid://shopify/Return/7",
        order_platform_id=order_id,
        lines=[(line_id, quantity), ("gid://shopify/LineItem/unknown", 1)],
        channel=Channel.SHOPIFY,
        platform_data={"shopify_state": "requested"},
    )


def test_the_return_is_recorded_with_the_store_id_and_committed(
    db, engine, clock, dispatcher, setup
):
    shop, order = setup
    line = order.lines[0]
    request = adopt_platform_return(
        db, shop, started(order.platform_id, line.platform_id), clock=clock, dispatcher=dispatcher
    )
    assert [(li.order_line_id, li.quantity) for li in request.lines] == [(line.id, 1)]
    assert request.channel == Channel.SHOPIFY
    assert request.status in (ReturnStatus.APPROVED, ReturnStatus.REQUESTED)
    assert request.platform_data["shopify_state"] == "requested"
    assert dispatcher.sent == [("return_sync", request.id)]
    db.rollback()  # committed by the use case: a rollback keeps it
    found = find_platform_return(db, shop, "gid://shopify/Return/7")
    assert isinstance(found, ReturnRequest)
    assert found.id == request.id


def test_a_return_whose_order_is_not_mirrored_yet_is_retried(db, clock, dispatcher, setup):
    shop, _order = setup
    with pytest.raises(RetriableStoreError, match="not mirrored yet"):
        adopt_platform_return(
            db, shop, started("gid://shopify/Order/404", "x"), clock=clock, dispatcher=dispatcher
        )
