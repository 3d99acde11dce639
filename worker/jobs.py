"""The jobs RQ runs for the ledger and the inbox: ids in, a core service out.

Each job loads its row, builds the shop's connector and calls the core service, which
does the work exactly once. Failures are never swallowed: a retriable store error
returns an RQ ``Retry`` (see ``worker.retry``), a fatal one parks the job in the failed
registry, and the shop or the return is flagged for the admin. A refused key flags the
shop for reconnecting and leaves its work pending, for the sweeper to enqueue again once
the merchant has reconnected.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from rq import Retry
from rq.job import get_current_job
from sqlalchemy.orm import Session

from connectors import PRIVACY_TOPICS
from core.clock import Clock
from core.enums import InboxStatus, ShopStatus
from core.errors import FatalStoreError, RetriableStoreError, StoreAuthError
from core.models import InboxDelivery, ReturnRequest, Settlement, Shop, StockMovement
from core.ports import StoreConnector
from core.services import deliveries, ledger
from worker.context import get_context
from worker.logs import bind
from worker.retry import park_current_job, retry_later

log = logging.getLogger(__name__)

Service = Callable[[Session, int, StoreConnector, Clock], Any]


def apply_movement_job(movement_id: int) -> Retry | None:
    """Put one stock movement's units back on the store, once."""
    return _call_store(StockMovement, movement_id, ledger.apply_movement, "movement_id")


def apply_settlement_job(settlement_id: int) -> Retry | None:
    """Refund, credit or exchange one settlement on the store, once."""
    return _call_store(Settlement, settlement_id, ledger.apply_settlement, "settlement_id")


def push_return_job(return_id: int) -> Retry | None:
    """Make the store show the return's current status."""
    return _call_store(ReturnRequest, return_id, ledger.push_return, "return_id")


def process_delivery_job(delivery_id: int) -> Retry | None:
    """Apply one stored webhook delivery to the mirror."""
    return _call_store(InboxDelivery, delivery_id, deliveries.process_delivery, "delivery_id")


def flag_reconnect(session: Session, shop_id: int, message: str) -> None:
    """Mark a shop as needing the merchant to reconnect it, with the store's words."""
    shop = session.get_one(Shop, shop_id)
    shop.status = ShopStatus.NEEDS_RECONNECT
    shop.status_message = message
    session.commit()


Owned = StockMovement | Settlement | ReturnRequest | InboxDelivery


def _call_store(
    model: type[Owned],
    object_id: int,
    service: Service,
    id_field: str,
) -> Retry | None:
    context = get_context()
    job = get_current_job()
    with context.session() as session:
        row = cast(Owned | None, session.get(model, object_id))
        if row is None:
            log.warning("%s %s no longer exists; nothing to do", model.__name__, object_id)
            return None
        ids = {"job_id": job.id if job else None, "return_id": _return_id(row)}
        with bind(**{**ids, "shop_id": row.shop_id, id_field: object_id}):
            shop = session.get_one(Shop, row.shop_id)
            if isinstance(row, InboxDelivery) and _settled_without_store(session, shop, row):
                return None
            if shop.status != ShopStatus.ACTIVE and not _privacy_request(shop, row):
                # The sweeper picks the row up again once the shop is reconnected.
                log.warning("shop is %s; leaving %s for later", shop.status.value, id_field)
                return None
            connector = context.connector_for(session, shop)
            try:
                service(session, object_id, connector, context.clock)
            except RetriableStoreError as exc:
                log.warning("store asked us to retry: %s", exc)
                return retry_later(exc)
            except StoreAuthError as exc:
                log.error("store refused our credentials: %s", exc)
                session.rollback()
                flag_reconnect(session, shop.id, str(exc))
                if isinstance(row, ReturnRequest):
                    # No sweeper looks for unsent status pushes: a person replays this one.
                    park_current_job()
                    raise
                # The row is still pending: the sweeper enqueues it again once the shop is
                # reconnected, so the job ends instead of waiting in the failed registry.
                return None
            except FatalStoreError as exc:
                log.error("store refused: %s", exc)
                park_current_job()
                raise
            log.info("done")
            return None


def _privacy_request(shop: Shop, row: Owned) -> bool:
    """A privacy webhook, applied in any state of the shop (it needs no store call)."""
    return isinstance(row, InboxDelivery) and row.topic in PRIVACY_TOPICS[shop.platform]


def _settled_without_store(session: Session, shop: Shop, delivery: InboxDelivery) -> bool:
    """Settle a delivery for an uninstalled shop that is not a privacy request: ignored.

    Nothing will ever apply it (the store is gone), so it must not wait as ``received``.
    """
    if shop.status != ShopStatus.UNINSTALLED or _privacy_request(shop, delivery):
        return False
    if delivery.status == InboxStatus.RECEIVED:
        delivery.status = InboxStatus.IGNORED
        delivery.error = "the shop had uninstalled Reshelf; not applied"
        session.commit()
    log.info("shop uninstalled; delivery %s ignored", delivery.id)
    return True


def _return_id(row: Owned) -> int | None:
    if isinstance(row, ReturnRequest):
        return row.id
    if isinstance(row, Settlement):
        return row.return_id
    if isinstance(row, StockMovement) and row.return_line is not None:
        return row.return_line.return_id
    return None
