"""Jobs against a fake store: success, retries, fatal errors parked and replayed."""

from __future__ import annotations

import pytest
from rq.job import Job

from core.enums import LedgerState, ShopStatus
from core.errors import FatalStoreError, RetriableStoreError, StoreAuthError
from core.models import Shop, StockMovement
from tests.worker.fakes import add_movement
from worker import admin_data
from worker.queues import RESTOCK, get_queue


@pytest.fixture
def movement(db, factory):
    shop = factory.shop()
    return add_movement(db, shop, factory.variant(shop, platform_id="sku-1"), quantity=3)


def _state(db, movement_id):
    db.expire_all()
    return db.get(StockMovement, movement_id)


def test_a_movement_job_puts_the_units_on_the_store(db, movement, store, rq_dispatcher, run_jobs):
    rq_dispatcher.dispatch("movement", movement.id)
    run_jobs()

    row = _state(db, movement.id)
    assert (row.state, row.quantity_after, row.attempts) == (LedgerState.APPLIED, 3, 1)
    assert store.stock == {"sku-1": 3}


def test_retriable_errors_are_retried_until_the_store_answers(
    db, movement, store, rq_dispatcher, run_jobs, redis_conn
):
    store.failures = [
        RetriableStoreError("429 Too Many Requests", retry_after=1),
        RetriableStoreError("503 Service Unavailable"),
    ]
    rq_dispatcher.dispatch("movement", movement.id)
    run_jobs(timeout=20)

    row = _state(db, movement.id)
    assert (row.state, row.attempts, row.last_error) == (LedgerState.APPLIED, 3, None)
    assert store.stock == {"sku-1": 3}
    assert get_queue(RESTOCK, redis_conn).failed_job_registry.get_job_count() == 0


def test_a_fatal_error_is_parked_shown_and_replayed_once_fixed(
    db, movement, store, rq_dispatcher, run_jobs, redis_conn
):
    store.failures = [FatalStoreError("woocommerce_rest_product_invalid_id: Invalid ID.")]
    rq_dispatcher.dispatch("movement", movement.id)
    run_jobs()

    job_id = f"restock-{movement.id}"
    assert _state(db, movement.id).state == LedgerState.FAILED
    assert len(store.calls) == 1  # not retried: retrying would not help
    [failed] = admin_data.failed_jobs_of_shop(db, movement.shop_id, redis_conn)
    assert failed.job_id == job_id
    assert "Invalid ID" in failed.error
    assert get_queue(RESTOCK, redis_conn).failed_job_registry.get_job_count() == 1

    admin_data.replay(job_id, redis_conn)  # the merchant fixed the product; store answers now
    run_jobs()

    assert _state(db, movement.id).state == LedgerState.APPLIED
    assert store.stock == {"sku-1": 3}
    assert admin_data.failed_jobs_of_shop(db, movement.shop_id, redis_conn) == []
    assert Job.fetch(job_id, connection=redis_conn).get_status() == "finished"


def test_refused_credentials_flag_the_shop_for_reconnecting(
    db, movement, store, rq_dispatcher, run_jobs
):
    store.failures = [StoreAuthError("401 Unauthorized: consumer key is invalid")]
    rq_dispatcher.dispatch("movement", movement.id)
    run_jobs()

    db.expire_all()
    shop = db.get(Shop, movement.shop_id)
    assert shop.status == ShopStatus.NEEDS_RECONNECT
    assert shop.status_message == "401 Unauthorized: consumer key is invalid"
    # The movement waits for the reconnect, not for a person to replay its job.
    assert admin_data.failed_jobs_of_shop(db, movement.shop_id) == []
    row = _state(db, movement.id)
    assert (row.state, row.last_error) == (LedgerState.PENDING, shop.status_message)


def test_jobs_of_a_shop_needing_reconnection_wait_without_calling_the_store(
    db, movement, store, rq_dispatcher, run_jobs
):
    db.get(Shop, movement.shop_id).status = ShopStatus.NEEDS_RECONNECT
    db.commit()
    rq_dispatcher.dispatch("movement", movement.id)
    run_jobs()

    assert store.calls == []
    assert _state(db, movement.id).state == LedgerState.PENDING
