"""Scheduled housekeeping: tokens, webhook health, return windows, inbox pruning.

The per-shop loops catch only store errors, one shop at a time: one store being down must
not stop the others, and the next run tries that shop again. A refused credential flags
the shop for reconnecting. Anything else fails the job, visibly, in the failed registry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from core.config import get_settings
from core.enums import ReturnStatus, ShopStatus
from core.errors import StoreAuthError, StoreError
from core.models import OutboundEmail, ReturnRequest, Shop
from core.ports import StoreConnector
from core.services import cancel_return
from core.services.retention import prune_bodies
from worker.context import get_context
from worker.jobs import flag_reconnect
from worker.logs import bind
from worker.reconcile import reconcile_all_job

log = logging.getLogger(__name__)

REFRESH_AHEAD = timedelta(minutes=30)  # refresh tokens this long before they expire
REMIND_DAYS_BEFORE = 2  # remind the shopper this many days before the ship-by date
EXPIRED = "the return window closed before the parcel was sent"


def refresh_tokens_job() -> int:
    """Refresh expiring store tokens ahead of time; return how many shops changed."""
    deadline = get_context().clock.now() + REFRESH_AHEAD
    changed = 0

    def refresh(session: Session, shop: Shop, connector: StoreConnector) -> None:
        nonlocal changed
        changed += connector.refresh_credentials(session, get_context().clock)

    _for_each_shop(refresh, Shop.token_expires_at.is_not(None), Shop.token_expires_at <= deadline)
    return changed


def check_webhooks_job() -> list[str]:
    """Repair webhook subscriptions; reconcile the shops that had lost some."""
    repaired: list[str] = []

    def check(session: Session, shop: Shop, connector: StoreConnector) -> None:
        fixed = connector.check_webhooks(session)
        session.commit()
        if fixed:
            log.warning("repaired webhooks: %s", ", ".join(fixed))
            repaired.extend(f"{shop.id}:{name}" for name in fixed)

    _for_each_shop(check)
    if repaired:
        reconcile_all_job()  # deliveries may have been missed while they were down
    return repaired


def return_windows_job() -> dict[str, int]:
    """Remind shoppers before an approved return's ship-by date; expire it after."""
    context = get_context()
    now = context.clock.now()
    counts = {"reminded": 0, "expired": 0}
    with context.session() as session:
        approved = select(ReturnRequest).where(
            ReturnRequest.status == ReturnStatus.APPROVED, ReturnRequest.ship_by.is_not(None)
        )
        for request in session.scalars(approved.order_by(ReturnRequest.id)).all():
            ship_by = request.ship_by
            assert ship_by is not None  # the query asked for it
            with bind(shop_id=request.shop_id, return_id=request.id):
                if ship_by < now.date():
                    cancel_return(
                        session,
                        shop_id=request.shop_id,
                        return_id=request.id,
                        actor="worker",
                        clock=context.clock,
                        dispatcher=context.job_dispatcher(),
                        reason=EXPIRED,
                    )
                    counts["expired"] += 1
                elif _reminder_due(request, ship_by, now.date()):
                    session.add(_reminder(request, ship_by, now))
                    request.reminder_sent_at = now
                    session.commit()
                    counts["reminded"] += 1
    return counts


def _reminder_due(request: ReturnRequest, ship_by: date, today: date) -> bool:
    """Not yet reminded, someone to write to, and the date is close."""
    close = (ship_by - today).days <= REMIND_DAYS_BEFORE
    return request.reminder_sent_at is None and bool(request.email) and close


def prune_inbox_job() -> int:
    """Drop webhook bodies nothing needs any more (``core.services.retention``)."""
    context, settings = get_context(), get_settings()
    with context.session() as session:
        return prune_bodies(
            session,
            context.clock.now(),
            retention_days=settings.inbox_retention_days,
            processed_days=settings.inbox_processed_body_days,
        )


def _reminder(request: ReturnRequest, ship_by: date, now: datetime) -> OutboundEmail:
    when = ship_by.isoformat()
    return OutboundEmail(
        shop_id=request.shop_id,
        return_id=request.id,
        kind="ship_by_reminder",
        to_address=request.email or "",
        subject=f"Return {request.rma}: please send it by {when}",
        body_text=(
            f"Your return {request.rma} is approved. Please hand the parcel to the "
            f"carrier by {when}; after that date the return closes."
        ),
        created_at=now,
    )


def _for_each_shop(
    action: Callable[[Session, Shop, StoreConnector], None], *where: ColumnElement[bool]
) -> None:
    """Run ``action`` for each active shop matching ``where``, isolating store failures."""
    context = get_context()
    with context.session() as session:
        query = select(Shop).where(Shop.status == ShopStatus.ACTIVE, *where)
        for shop in session.scalars(query.order_by(Shop.id)).all():
            with bind(shop_id=shop.id):
                try:
                    action(session, shop, context.connector_for(session, shop))
                except StoreAuthError as exc:
                    session.rollback()
                    flag_reconnect(session, shop.id, str(exc))
                except StoreError as exc:
                    session.rollback()
                    log.warning("store call failed; trying again next run: %s", exc)
