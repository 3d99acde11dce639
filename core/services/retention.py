"""How long Reshelf keeps webhook bodies: only as long as processing them needs.

A body is the store's payload verbatim, with whatever personal data it carries, so it is
dropped (the row stays, as the record of the delivery) once nothing needs it:

- a processed or ignored delivery keeps its body ``processed_days`` after processing
  (``RESHELF_INBOX_PROCESSED_BODY_DAYS``), long enough to look into a surprise;
- any settled delivery, failed ones included (kept for a replay), keeps it at most
  ``retention_days`` after receipt (``RESHELF_INBOX_RETENTION_DAYS``, or the shop's
  ``inbox_retention_days`` setting);
- a delivery still waiting to be processed keeps it: processing needs it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.orm import Session

from core.enums import InboxStatus
from core.models import InboxDelivery, Shop

SETTLED = (InboxStatus.PROCESSED, InboxStatus.IGNORED, InboxStatus.FAILED)
DONE = (InboxStatus.PROCESSED, InboxStatus.IGNORED)


def prune_bodies(
    session: Session, now: datetime, *, retention_days: int, processed_days: int
) -> int:
    """Drop the bodies nothing needs any more, shop by shop; how many. Commits."""
    pruned = 0
    for shop_id, settings in session.execute(select(Shop.id, Shop.settings)).all():
        chosen = cast(dict[str, Any], settings or {})
        days = int(chosen.get("inbox_retention_days", retention_days))
        processed = func.coalesce(InboxDelivery.processed_at, InboxDelivery.received_at)
        statement = (
            update(InboxDelivery)
            .where(
                InboxDelivery.shop_id == shop_id,
                InboxDelivery.body.is_not(None),
                InboxDelivery.status.in_(SETTLED),
                or_(
                    InboxDelivery.received_at < now - timedelta(days=days),
                    InboxDelivery.status.in_(DONE)
                    & (processed < now - timedelta(days=processed_days)),
                ),
            )
            .values(body=None, body_pruned_at=now)
            .execution_options(synchronize_session=False)
        )
        pruned += cast(CursorResult[Any], session.execute(statement)).rowcount
    session.commit()
    return pruned
