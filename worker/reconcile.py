"""Reconciliation: heal what webhooks missed, then report stock that drifted.

Per shop, each resource is re-read since its cursor (``connector.sync``); then for every
variant and location Reshelf has ever moved stock for, the store's count is compared with
the mirror's (which webhooks, syncs and applied movements keep). A difference that
remains is drift: a ``DriftReport`` the admin shows until the two agree again.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from rq import Retry
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import Clock
from core.enums import LedgerState, Platform, ShopStatus
from core.errors import FatalStoreError, RetriableStoreError, StoreAuthError
from core.models import DriftReport, InventoryLevel, Location, Shop, StockMovement, SyncRun, Variant
from core.ports import StoreConnector
from worker.context import get_context
from worker.dispatch import RQDispatcher
from worker.jobs import flag_reconnect
from worker.logs import bind
from worker.retry import park_current_job, retry_later

log = logging.getLogger(__name__)

# What reconciliation re-reads: orders carry their refunds and fulfilments; the second
# resource heals missed stock updates (WooCommerce keeps stock on the product).
RESOURCES: dict[str, tuple[str, ...]] = {
    Platform.SHOPIFY: ("orders", "inventory"),
    Platform.WOOCOMMERCE: ("orders", "products"),
}


def reconcile_all_job() -> int:
    """Enqueue one reconciliation per active shop (paced per shop like every store call)."""
    context = get_context()
    dispatcher = RQDispatcher(engine=context.engine)
    slot = int(context.clock.now().timestamp()) // 60
    enqueued = 0
    with context.session() as session:
        for shop_id in session.scalars(select(Shop.id).where(Shop.status == ShopStatus.ACTIVE)):
            limit = dispatcher.rate_limit(session, shop_id)
            job = dispatcher.enqueue_job(
                "reconcile", f"reconcile-{shop_id}-{slot}", (shop_id,), limit
            )
            enqueued += job is not None
    return enqueued


def reconcile_shop_job(shop_id: int) -> Retry | None:
    """Re-read what changed since the cursors, then write drift reports for moved stock."""
    context = get_context()
    clock = context.clock
    with context.session() as session, bind(shop_id=shop_id):
        shop = session.get_one(Shop, shop_id)
        connector = context.connector_for(session, shop)
        resources = RESOURCES[shop.platform]
        run = SyncRun(
            shop_id=shop_id, kind="reconcile", resource=",".join(resources), started_at=clock.now()
        )
        session.add(run)
        session.commit()
        try:
            counts: dict[str, Any] = {
                r: asdict(connector.sync(session, r, full=False, clock=clock)) for r in resources
            }
            drifted = check_drift(session, shop, connector, clock)
        except RetriableStoreError as exc:
            _finish(session, run, clock, "retrying", error=str(exc))
            return retry_later(exc)
        except FatalStoreError as exc:
            _finish(session, run, clock, "failed", error=str(exc))
            if isinstance(exc, StoreAuthError):
                flag_reconnect(session, shop_id, str(exc))
            park_current_job()
            raise
        _finish(session, run, clock, "done", counts={**counts, "drifted": drifted})
        log.info("reconciled; %d variant(s) drifted", drifted)
        return None


def check_drift(session: Session, shop: Shop, connector: StoreConnector, clock: Clock) -> int:
    """Compare the store with the mirror for every moved variant; return how many differ."""
    pairs = session.execute(
        select(Variant, Location)
        .join(StockMovement, StockMovement.variant_id == Variant.id)
        .join(Location, StockMovement.location_id == Location.id)
        .where(StockMovement.shop_id == shop.id, StockMovement.state == LedgerState.APPLIED)
        .distinct()
    ).all()
    drifted = 0
    for variant, location in pairs:
        expected = session.scalar(
            select(InventoryLevel.available).where(
                InventoryLevel.variant_id == variant.id, InventoryLevel.location_id == location.id
            )
        )
        # No level: the store does not count this item (unmanaged, or deleted on the
        # store), so there is nothing to compare and nothing to ask the store.
        actual = connector.read_available(variant, location) if expected is not None else None
        report = session.scalars(
            select(DriftReport).where(
                DriftReport.variant_id == variant.id,
                DriftReport.location_id == location.id,
                DriftReport.resolved_at.is_(None),
            )
        ).first()
        if expected is None or actual is None or actual == expected:
            if report is not None:
                report.resolved_at = clock.now()
            continue
        drifted += 1
        if report is None:
            report = DriftReport(
                shop_id=shop.id,
                variant_id=variant.id,
                location_id=location.id,
                expected=expected,
                actual=actual,
                detected_at=clock.now(),
            )
            session.add(report)
            log.warning("drift on variant %s: store %s, expected %s", variant.id, actual, expected)
        report.expected, report.actual = expected, actual
    session.commit()
    return drifted


def _finish(
    session: Session,
    run: SyncRun,
    clock: Clock,
    status: str,
    *,
    error: str | None = None,
    counts: dict[str, Any] | None = None,
) -> None:
    """Record how a run ended, whatever the failed attempt left in the session."""
    session.rollback()
    run = session.get_one(SyncRun, run.id)
    run.status, run.finished_at, run.error = status, clock.now(), error
    if counts is not None:
        run.counts = counts
    session.commit()
