"""The sweeper: the database, not Redis, is the record of what must happen.

Pending stock movements and settlements and received inbox deliveries each deserve a
live job. When Redis was flushed or restarted, a process died between its commit and
its enqueue, or a worker was killed holding the job, the sweeper enqueues the work again
under the same deterministic id (see ``worker.abandoned`` for how it tells a dead worker's
job from a live one). A job in the failed registry is left for a person to replay.
It also brings a relay to an inbox doorbell that none is draining (``worker.inbox_relay``).
Running the sweeper twice enqueues nothing twice.
"""

from __future__ import annotations

import logging

from redis import Redis
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from connectors import PRIVACY_TOPICS
from core.enums import InboxStatus, LedgerState, ShopStatus
from core.models import InboxDelivery, Settlement, Shop, StockMovement
from core.ports import JobKind
from worker import inbox_relay
from worker.abandoned import discard, started_by_dead_workers, stuck_before_start
from worker.context import get_context
from worker.dispatch import RQDispatcher
from worker.queues import PRIORITY, get_queue, redis_connection

log = logging.getLogger(__name__)


def pending_work(session: Session) -> list[tuple[JobKind, int]]:
    """What the database says must still be done, for shops that can be reached."""
    active = select(Shop.id).where(Shop.status == ShopStatus.ACTIVE)
    queries: list[tuple[JobKind, Select[int]]] = [
        (
            "movement",
            select(StockMovement.id)
            .where(StockMovement.state == LedgerState.PENDING, StockMovement.shop_id.in_(active))
            .order_by(StockMovement.id),
        ),
        (
            "settlement",
            select(Settlement.id)
            .where(Settlement.state == LedgerState.PENDING, Settlement.shop_id.in_(active))
            .order_by(Settlement.id),
        ),
        (
            "inbox",
            select(InboxDelivery.id)
            .where(InboxDelivery.status == InboxStatus.RECEIVED, _inbox_due(active))
            .order_by(InboxDelivery.id),
        ),
    ]
    found: list[tuple[JobKind, int]] = []
    for kind, query in queries:
        found.extend((kind, object_id) for object_id in session.scalars(query))
    return found


def _inbox_due(active: Select[int]) -> ColumnElement[bool]:
    """Deliveries a job can settle: an active shop's, an uninstalled shop's (they are
    ignored), and privacy requests whatever the shop's state."""
    uninstalled = select(Shop.id).where(Shop.status == ShopStatus.UNINSTALLED)
    privacy = set().union(*PRIVACY_TOPICS.values())
    return or_(
        InboxDelivery.shop_id.in_(active),
        InboxDelivery.shop_id.in_(uninstalled),
        InboxDelivery.topic.in_(sorted(privacy)),
    )


def sweep(connection: Redis | None = None) -> int:
    """Enqueue every piece of pending work that has no live job; return how many."""
    context = get_context()
    dispatcher = RQDispatcher(
        engine=context.engine,
        connection=connection or redis_connection(),
    )
    for name in PRIORITY:
        queue = get_queue(name, dispatcher.connection)
        for job_id in stuck_before_start(queue) + started_by_dead_workers(queue):
            # Discarding frees its per-shop slot; its work, if still pending, is enqueued
            # again just below (a job killed after the store answered has nothing left to do).
            log.warning("job %s was abandoned by a worker that died", job_id)
            discard(dispatcher.connection, job_id)
    with context.session() as session:
        pending = pending_work(session)
    enqueued = 0
    for kind, object_id in pending:
        if dispatcher.ensure(kind, object_id, replace_dead=True) is not None:
            enqueued += 1
    if inbox_relay.waiting(dispatcher.connection):
        # Ids announced but not taken: a relay died holding some, or was never enqueued.
        dispatcher.enqueue_relay(inbox_relay.relay_job_id())
    if enqueued:
        log.warning("sweeper re-enqueued %d jobs whose work was still pending", enqueued)
    return enqueued


def sweep_job() -> int:
    """The scheduled sweep."""
    return sweep()
