"""Each scheduled job, run as RQ runs it, against the fake store."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from core.enums import InboxStatus, LedgerState, Platform, ReturnStatus, ShopStatus
from core.errors import RetriableStoreError, StoreAuthError
from core.models import (
    DriftReport,
    InboxDelivery,
    InventoryLevel,
    OutboundEmail,
    ReturnRequest,
    Shop,
    SyncRun,
)
from core.ports import NullDispatcher
from core.services import LineRequest, request_return
from tests.worker.fakes import add_movement
from worker import queues, scheduled
from worker.reconcile import reconcile_all_job
from worker.schedule import SCHEDULE
from worker.sweeper import sweep_job


def _applied_movement(db, factory, shop, sku, mirror):
    variant = factory.variant(shop, platform_id=sku)
    movement = add_movement(db, shop, variant)
    movement.state = LedgerState.APPLIED
    db.add(
        InventoryLevel(
            shop_id=shop.id,
            variant_id=variant.id,
            location_id=movement.location_id,
            available=mirror,
        )
    )
    db.commit()
    return variant


def test_reconciliation_syncs_each_shop_and_reports_drift(db, factory, store, redis_conn, run_jobs):
    shop = factory.shop(platform=Platform.WOOCOMMERCE)
    factory.shop(status=ShopStatus.UNINSTALLED)
    steady = _applied_movement(db, factory, shop, "steady", mirror=5)
    drifted = _applied_movement(db, factory, shop, "drifted", mirror=5)
    store.stock = {"steady": 5, "drifted": 3}  # two units sold while webhooks were down

    assert reconcile_all_job() == 1  # the uninstalled shop is left alone
    run_jobs()

    assert store.synced == [(shop.id, "orders"), (shop.id, "products")]
    [report] = db.scalars(select(DriftReport)).all()
    assert (report.variant_id, report.expected, report.actual) == (drifted.id, 5, 3)
    assert report.variant_id != steady.id
    [run] = db.scalars(select(SyncRun)).all()
    assert (run.kind, run.status, run.counts["drifted"]) == ("reconcile", "done", 1)

    store.stock["drifted"] = 5  # the merchant fixed it; the next run resolves the report
    factory.clock.advance(minutes=15)
    reconcile_all_job()
    run_jobs()
    db.expire_all()
    assert db.get(DriftReport, report.id).resolved_at is not None


def test_reconciliation_retries_when_the_store_is_busy(db, factory, store, redis_conn, run_jobs):
    shop = factory.shop()
    db.commit()
    store.failures = [RetriableStoreError("THROTTLED", retry_after=1)]
    reconcile_all_job()
    run_jobs(timeout=15)

    statuses = [r.status for r in db.scalars(select(SyncRun).order_by(SyncRun.id))]
    assert statuses == ["retrying", "done"]
    assert store.synced[-1] == (shop.id, "inventory")


def test_tokens_expiring_soon_are_refreshed(db, factory, clock, store):
    soon = factory.shop(token_expires_at=clock.now() + timedelta(minutes=10))
    factory.shop(token_expires_at=clock.now() + timedelta(days=1))
    factory.shop()  # keys that never expire
    db.commit()

    assert scheduled.refresh_tokens_job() == 1
    assert store.calls == [f"refresh {soon.id}"]


def test_a_refused_refresh_flags_the_shop(db, factory, clock, store):
    shop = factory.shop(token_expires_at=clock.now() + timedelta(minutes=10))
    db.commit()
    store.failures = [StoreAuthError("refresh token revoked")]

    assert scheduled.refresh_tokens_job() == 0
    db.expire_all()
    assert db.get(Shop, shop.id).status == ShopStatus.NEEDS_RECONNECT


def test_lost_webhooks_are_repaired_and_the_gap_reconciled(db, factory, store, redis_conn):
    healthy, broken = factory.shop(), factory.shop()
    db.commit()
    store.lost_webhooks = {broken.id: ["order.updated re-activated"]}

    assert scheduled.check_webhooks_job() == [f"{broken.id}:order.updated re-activated"]
    assert store.calls[:2] == [f"webhooks {healthy.id}", f"webhooks {broken.id}"]
    sync_jobs = queues.get_queue(queues.SYNC, redis_conn).get_job_ids()
    assert any(j.startswith(f"reconcile-{broken.id}-") for j in sync_jobs)


def _approved_return(db, factory, ship_in_days):
    shop = factory.shop()
    order = factory.order(shop, [(factory.variant(shop), 1, Decimal("10.00"))])
    db.commit()
    request = request_return(
        db,
        shop_id=shop.id,
        order_id=order.id,
        lines=[LineRequest(order.lines[0].id, 1, None)],
        actor="shopper",
        clock=factory.clock,
        dispatcher=NullDispatcher(),
    )
    assert request.status == ReturnStatus.APPROVED
    request.ship_by = (factory.clock.now() + timedelta(days=ship_in_days)).date()
    db.commit()
    return request


def test_shoppers_are_reminded_once_before_the_ship_by_date(db, factory, followups):
    close = _approved_return(db, factory, ship_in_days=1)
    _approved_return(db, factory, ship_in_days=10)

    assert scheduled.return_windows_job() == {"reminded": 1, "expired": 0}
    assert scheduled.return_windows_job() == {"reminded": 0, "expired": 0}
    [email] = db.scalars(select(OutboundEmail)).all()
    assert (email.return_id, email.kind, email.to_address) == (
        close.id,
        "ship_by_reminder",
        "shopper@example.com",
    )
    assert close.rma in email.subject


def test_returns_not_sent_by_the_ship_by_date_expire(db, factory, followups):
    late = _approved_return(db, factory, ship_in_days=-1)

    assert scheduled.return_windows_job() == {"reminded": 0, "expired": 1}
    db.expire_all()
    assert db.get(ReturnRequest, late.id).status == ReturnStatus.CANCELLED
    assert followups.sent == [("return_sync", late.id)]  # the store hears about it too


def _delivery(db, clock, shop, days_ago, status=InboxStatus.PROCESSED, processed_days_ago=None):
    """A stored delivery received ``days_ago`` (processed then, unless told otherwise)."""
    received = clock.now() - timedelta(days=days_ago)
    row = InboxDelivery(
        shop_id=shop.id,
        platform=Platform.SHOPIFY,
        topic="orders/updated",
        dedupe_key=f"{shop.id}-{days_ago}-{status}-{processed_days_ago}",
        body=b'{"id": 1}',
        status=status,
        received_at=received,
        processed_at=None
        if processed_days_ago is None
        else clock.now() - timedelta(days=processed_days_ago),
    )
    db.add(row)
    return row


def test_settled_inbox_bodies_go_after_each_shops_retention(db, factory, clock):
    default, brief = factory.shop(), factory.shop(settings={"inbox_retention_days": 7})
    old_failed = _delivery(db, clock, default, 31, InboxStatus.FAILED)
    kept = [
        _delivery(db, clock, default, 20, InboxStatus.FAILED),  # kept for a replay
        _delivery(db, clock, default, 40, InboxStatus.RECEIVED),  # processing needs it
    ]
    short = _delivery(db, clock, brief, 8, InboxStatus.FAILED)
    db.commit()

    assert scheduled.prune_inbox_job() == 2
    db.expire_all()
    assert [db.get(InboxDelivery, d.id).body for d in (old_failed, short)] == [None, None]
    assert db.get(InboxDelivery, old_failed.id).body_pruned_at == clock.now()
    assert all(db.get(InboxDelivery, d.id).body for d in kept)


def test_processed_bodies_go_a_week_after_processing(db, factory, clock):
    shop = factory.shop()
    late = _delivery(db, clock, shop, 9, processed_days_ago=8)
    ignored = _delivery(db, clock, shop, 8, InboxStatus.IGNORED)
    recent = _delivery(db, clock, shop, 20, processed_days_ago=2)  # retried for weeks
    db.commit()

    assert scheduled.prune_inbox_job() == 2
    db.expire_all()
    assert [db.get(InboxDelivery, d.id).body for d in (late, ignored)] == [None, None]
    assert db.get(InboxDelivery, recent.id).body == b'{"id": 1}'


def test_the_cron_schedule_enqueues_the_pruning_and_a_worker_runs_it(
    db, factory, clock, redis_conn, run_jobs
):
    from worker.schedule import build_cron

    shop = factory.shop()
    stale = _delivery(db, clock, shop, 40)
    db.commit()
    cron = build_cron(redis_conn)
    assert "prune_inbox_job" in {job.func_name.rsplit(".", 1)[-1] for job in cron.get_jobs()}
    cron.enqueue_jobs()  # interval jobs are due at once on a new schedule
    run_jobs()
    db.expire_all()
    assert db.get(InboxDelivery, stale.id).body is None


def test_the_scheduled_sweep_requeues_pending_work(db, factory, redis_conn):
    shop = factory.shop()
    add_movement(db, shop, factory.variant(shop))
    assert sweep_job() == 1


def test_the_schedule_covers_every_periodic_duty():
    names = {func.__name__ for func, _, _ in SCHEDULE}
    assert names == {
        "sweep_job",
        "reconcile_all_job",
        "refresh_tokens_job",
        "check_webhooks_job",
        "return_windows_job",
        "prune_inbox_job",
    }
    assert all(queue in queues.PRIORITY and every >= 60 for _, queue, every in SCHEDULE)
