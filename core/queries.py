"""Read-side queries the portal and the desk run on every page view.

They live here, not in the views, so the benchmarks measure the very queries the app
runs and the indexes they rely on are named in one place.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from core.enums import InboxStatus, ReturnStatus
from core.models import InboxDelivery, Order, ReturnReason, ReturnRequest
from core.policy.defaults import DEFAULT_REASONS

DESK_PAGE_SIZE = 25
# Pages past this are not a list anyone reads; the offset stays a number both databases take.
DESK_MAX_PAGE = 10_000
SYNC_LOG_SIZE = 100  # the newest deliveries the sync log shows


def normalise_order_number(text: str) -> str:
    """What a shopper types ("#1001 ", "1001") as stored ("1001")."""
    return text.strip().lstrip("#").strip()


def order_lookup(shop_id: int, number: str, email: str) -> Select[Order]:
    """The portal's lookup of an order by number and email (``ix_orders_shop_number``)."""
    return select(Order).where(
        Order.shop_id == shop_id,
        Order.number == normalise_order_number(number),
        func.lower(Order.email) == email.strip().lower(),
        Order.deleted_at.is_(None),
    )


def find_order_for_shopper(session: Session, shop_id: int, number: str, email: str) -> Order | None:
    """The shop's order with this number whose email matches, case-insensitively.

    A wrong email finds nothing, exactly like a wrong number, so the portal cannot be used
    to learn which order numbers exist.
    """
    if not email.strip():
        return None
    return session.scalars(order_lookup(shop_id, number, email)).first()


def desk_query(
    shop_id: int,
    status: ReturnStatus | None = None,
    limit: int = DESK_PAGE_SIZE,
    offset: int = 0,
) -> Select[ReturnRequest]:
    """The returns desk's list: one shop, optionally one status, newest first.

    ``ix_return_requests_desk`` (shop_id, status, created_at, id) serves it read backwards;
    without a status, ``ix_return_requests_shop_created`` does.
    """
    query = select(ReturnRequest).where(ReturnRequest.shop_id == shop_id)
    if status is not None:
        query = query.where(ReturnRequest.status == status)
    query = query.order_by(ReturnRequest.created_at.desc(), ReturnRequest.id.desc())
    return query.limit(limit).offset(offset)


def desk_page(
    session: Session,
    shop_id: int,
    status: ReturnStatus | None = None,
    limit: int = DESK_PAGE_SIZE,
    offset: int = 0,
) -> list[ReturnRequest]:
    """One page of the returns desk's list (see ``desk_query``)."""
    return list(session.scalars(desk_query(shop_id, status, limit, offset)))


def desk_page_number(asked: int | None) -> int:
    """The page to show for ``?page=``: at least 1, at most ``DESK_MAX_PAGE``."""
    return min(max(1, asked or 1), DESK_MAX_PAGE)


def shop_reasons(session: Session, shop_id: int) -> dict[str, str]:
    """The shop's active reasons (code → label) in its order, or the defaults if it has none."""
    query = (
        select(ReturnReason)
        .where(ReturnReason.shop_id == shop_id, ReturnReason.active.is_(True))
        .order_by(ReturnReason.position, func.lower(ReturnReason.label))
    )
    rows = session.scalars(query).all()
    return {r.code: r.label for r in rows} or dict(DEFAULT_REASONS)


def recent_deliveries(
    session: Session, shop_id: int, status: InboxStatus | None = None
) -> list[InboxDelivery]:
    """The shop's newest webhook deliveries, optionally of one status, for the sync log."""
    query = select(InboxDelivery).where(InboxDelivery.shop_id == shop_id)
    if status is not None:
        query = query.where(InboxDelivery.status == status)
    query = query.order_by(InboxDelivery.received_at.desc(), InboxDelivery.id.desc())
    return list(session.scalars(query.limit(SYNC_LOG_SIZE)))
