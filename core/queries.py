"""Read-side queries the portal, the desk and the sync log run on every page view.

They live here, not in the views, so the benchmarks measure the very queries the app
runs and the indexes they rely on are named in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from core.enums import InboxStatus, ReturnStatus, ShopStatus
from core.models import (
    InboxDelivery,
    Order,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    Settlement,
    Shop,
    StockMovement,
)
from core.policy.defaults import DEFAULT_REASONS

DESK_PAGE_SIZE = 25
# Pages past this are not a list anyone reads; the offset stays a number both databases take.
DESK_MAX_PAGE = 10_000
SYNC_LOG_SIZE = 100  # the newest deliveries the sync log shows


# Shops whose portal is open: a shop whose key the store refused keeps taking returns from
# the mirror while its store calls wait for the merchant to reconnect.
PORTAL_OPEN = (ShopStatus.ACTIVE, ShopStatus.NEEDS_RECONNECT)


def active_shop(session: Session, key: str) -> Shop | None:
    """The connected shop with this public key (the portal's address), if its portal is open."""
    shop = session.scalars(select(Shop).where(Shop.key == key)).one_or_none()
    return shop if shop is not None and shop.status in PORTAL_OPEN else None


def active_shop_keys(session: Session) -> list[str]:
    """The public keys of every shop whose portal is open."""
    return list(session.scalars(select(Shop.key).where(Shop.status.in_(PORTAL_OPEN))))


def shop_return(session: Session, shop_id: int, rma: str) -> ReturnRequest | None:
    """The shop's return with this RMA number."""
    query = select(ReturnRequest).where(ReturnRequest.shop_id == shop_id, ReturnRequest.rma == rma)
    return session.scalars(query).one_or_none()


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


def desk_list(
    session: Session, shop_id: int, status: ReturnStatus | None, page: int
) -> list[ReturnRequest]:
    """Page ``page`` (from 1) of the desk's list, with each return's order loaded."""
    returns = desk_page(session, shop_id, status, offset=(page - 1) * DESK_PAGE_SIZE)
    # Load the orders in one query; each ``ret.order`` then comes from the identity map.
    session.scalars(select(Order).where(Order.id.in_({r.order_id for r in returns}))).all()
    return returns


@dataclass(frozen=True)
class ReturnDetail:
    """One return as the desk shows it: its lines, its ledger and what the policy said."""

    ret: ReturnRequest
    movements: list[StockMovement]
    settlements: list[Settlement]
    decisions: dict[int, dict[str, Any]]  # order line id → the decision the shopper saw


def return_detail(session: Session, shop_id: int, return_id: int) -> ReturnDetail | None:
    """The shop's return with its lines, stock movements and settlements, or None."""
    query = (
        select(ReturnRequest)
        .where(ReturnRequest.shop_id == shop_id, ReturnRequest.id == return_id)
        .options(selectinload(ReturnRequest.lines).selectinload(ReturnLine.order_line))
    )
    ret = session.scalars(query).one_or_none()
    if ret is None:
        return None
    line_ids = [line.id for line in ret.lines]
    movements = session.scalars(
        select(StockMovement).where(StockMovement.return_line_id.in_(line_ids))
    )
    settlements = session.scalars(select(Settlement).where(Settlement.return_id == ret.id))
    return ReturnDetail(
        ret=ret,
        movements=list(movements),
        settlements=list(settlements),
        decisions={d["line_id"]: d for d in ret.decision.get("lines", [])},
    )


def shop_return_line(session: Session, shop_id: int, line_id: int) -> ReturnLine | None:
    """The shop's return line with this id."""
    line = session.get(ReturnLine, line_id)
    return line if line is not None and line.shop_id == shop_id else None


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
