"""Processing a stored webhook delivery: the mirror updated once, or the delivery failed.

The acknowledgement path stored the delivery and enqueued its id; the worker's job calls
``process_delivery`` with the shop's connector, which knows the topic. A delivery already
processed or ignored is left alone, so a duplicate job or a replay changes nothing.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from core.clock import Clock
from core.enums import InboxStatus
from core.errors import FatalStoreError, StoreAuthError
from core.models import InboxDelivery
from core.ports import StoreConnector
from core.services._common import locked

# Errors of reading a stored body (JSON that does not parse, is not an object, lacks a field
# or holds a value that does not convert): the same body fails the same way on every try,
# so the delivery is marked failed at once. Anything else (the database, Redis, the store
# away) may pass, and the job retries it.
NEVER_SUCCEEDS = (LookupError, ValueError, TypeError, AttributeError)

log = logging.getLogger(__name__)


def process_delivery(
    session: Session, delivery_id: int, connector: StoreConnector, clock: Clock
) -> InboxDelivery:
    """Apply a stored webhook to the mirror, once.

    A delivery that can never be processed (``NEVER_SUCCEEDS``) or that the store refused
    is marked failed with its reason, shown in the sync log; only the store's refusal is
    raised, so that its job is parked for a replay. A refused key leaves it received, to
    be applied once the shop is reconnected. Other errors leave it to be retried.
    """
    delivery = locked(session, InboxDelivery, delivery_id)
    if delivery.status in (InboxStatus.PROCESSED, InboxStatus.IGNORED):
        return delivery
    delivery.attempts += 1
    try:
        connector.process_delivery(session, delivery)
    except Exception as exc:
        session.rollback()
        delivery = locked(session, InboxDelivery, delivery_id)
        delivery.attempts += 1  # the rollback undid the count with the rest; it is kept
        delivery.error = f"{type(exc).__name__}: {exc}"
        refused_key = isinstance(exc, StoreAuthError)
        if isinstance(exc, (FatalStoreError, *NEVER_SUCCEEDS)) and not refused_key:
            delivery.status = InboxStatus.FAILED
        session.commit()
        if isinstance(exc, NEVER_SUCCEEDS):
            log.warning("delivery %s can never be processed: %s", delivery_id, delivery.error)
            return delivery
        raise
    if delivery.status == InboxStatus.RECEIVED:
        delivery.status = InboxStatus.PROCESSED
    delivery.processed_at, delivery.error = clock.now(), None
    session.commit()
    return delivery
