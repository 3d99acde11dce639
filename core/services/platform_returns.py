"""A return the shopper started on the store (a Shopify return request): adopt it.

Every platform calls this one use case: the connector reads the store's return into
platform ids, and core finds the mirrored order, lets the published policy decide, and
records the return with the store's id on it, in one transaction. The connector then tells
the store the decision; it never commits itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import Clock
from core.enums import Channel
from core.errors import RetriableStoreError
from core.models import Order, ReturnRequest, Shop
from core.ports import JobDispatcher
from core.services.requests import LineRequest, record_return

# A return can arrive before its order's webhook: ask the worker to try again in a while.
ORDER_NOT_MIRRORED_RETRY_SECONDS = 30


@dataclass(frozen=True)
class PlatformReturn:
    """A return as the store holds it, named by the store's ids."""

    platform_return_id: str
    order_platform_id: str
    # (store's order line id, units) for each line the shopper asked to return.
    lines: list[tuple[str, int]]
    channel: Channel
    # Kept on the return verbatim (what the connector needs to answer the store later).
    platform_data: dict[str, Any] = field(default_factory=dict)


def find_platform_return(
    session: Session, shop: Shop, platform_return_id: str
) -> ReturnRequest | None:
    """The return Reshelf already keeps for this store return, if any."""
    return session.scalars(
        select(ReturnRequest).where(
            ReturnRequest.shop_id == shop.id,
            ReturnRequest.platform_return_id == platform_return_id,
        )
    ).one_or_none()


def mirrored_order(session: Session, shop: Shop, order_platform_id: str) -> Order:
    """The mirrored order; ``RetriableStoreError`` while its webhook has not come yet."""
    order = session.scalars(
        select(Order).where(Order.shop_id == shop.id, Order.platform_id == order_platform_id)
    ).one_or_none()
    if order is None:
        raise RetriableStoreError(
            "the return's order is not mirrored yet", retry_after=ORDER_NOT_MIRRORED_RETRY_SECONDS
        )
    return order


def adopt_platform_return(
    session: Session,
    shop: Shop,
    started: PlatformReturn,
    *,
    clock: Clock,
    dispatcher: JobDispatcher,
) -> ReturnRequest:
    """Record a store-started return, decided by the policy; ``NotEligible`` if refused.

    Lines the mirror does not know (a line added after the last order webhook) are left out.
    Committed before it returns, so a retry of the same delivery finds the return.
    """
    order = mirrored_order(session, shop, started.order_platform_id)
    by_platform = {line.platform_id: line for line in order.lines}
    lines = [
        LineRequest(order_line_id=by_platform[line_id].id, quantity=quantity)
        for line_id, quantity in started.lines
        if line_id in by_platform
    ]
    request = record_return(
        session,
        shop_id=shop.id,
        order_id=order.id,
        lines=lines,
        actor="shopper",
        clock=clock,
        channel=started.channel,
    )
    request.platform_return_id = started.platform_return_id
    request.platform_data = {**request.platform_data, **started.platform_data}
    session.commit()
    dispatcher.dispatch("return_sync", request.id)
    return request
