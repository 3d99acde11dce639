"""The sync log: the shop's deliveries with their status and error, its failed jobs with a
replay, for its owners only."""

from __future__ import annotations

import httpx
import pytest

from connectors.shopify.connector import ShopifyConnector
from core.enums import InboxStatus, LedgerState, Platform, Role
from core.errors import FatalStoreError
from core.models import InboxDelivery, Shop, StockMovement
from core.services import process_delivery
from tests.webapp.actions import AdminActions, csrf_token
from tests.worker.fakes import FakeStore, add_movement
from webapp.users import add_user
from worker.context import WorkerContext, use_context
from worker.dispatch import RQDispatcher


def _delivery(db, shop: Shop, clock, topic: str, body: bytes, **kw) -> InboxDelivery:
    """A delivery stored in the inbox for ``shop``."""
    delivery = InboxDelivery(
        shop_id=shop.id,
        platform=Platform.SHOPIFY,
        topic=topic,
        dedupe_key=f"{topic}:{body!r}",
        body=body,
        received_at=clock.now(),
        **kw,
    )
    db.add(delivery)
    db.commit()
    return delivery


@pytest.fixture
def failed(db, store, clock):
    """A refund webhook without its order: it cannot be processed, whatever the retries."""
    delivery = _delivery(db, store.shop, clock, "refunds/create", b'{"id": 5}')
    # No store call happens before the body fails; a client that reaches nothing proves it.
    offline = httpx.Client(transport=httpx.MockTransport(lambda _request: httpx.Response(599)))
    process_delivery(db, delivery.id, ShopifyConnector(store.shop, http_client=offline), clock)
    db.expire_all()
    return db.get_one(InboxDelivery, delivery.id)


def test_a_delivery_that_cannot_be_processed_is_failed_and_shown_with_its_reason(admin, failed):
    assert failed.status == InboxStatus.FAILED
    assert failed.error == "KeyError: 'order_id'"
    assert "Sync log" in admin.client.get("/admin/").get_data(as_text=True)
    page = admin.client.get("/admin/sync").get_data(as_text=True)
    assert "refunds/create" in page
    assert "failed" in page
    assert "KeyError: &#39;order_id&#39;" in page
    only_failed = admin.client.get("/admin/sync?status=failed").get_data(as_text=True)
    assert "refunds/create" in only_failed
    assert "refunds/create" not in admin.client.get("/admin/sync?status=processed").get_data(
        as_text=True
    )


def test_another_shops_deliveries_never_appear(admin, db, factory, clock, failed):
    other = factory.shop(domain="other-shop.myshopify.com")
    db.commit()
    _delivery(
        db,
        other,
        clock,
        "orders/paid",
        b"{}",
        status=InboxStatus.FAILED,
        error="ValueError: theirs",
    )
    for path in ("/admin/sync", "/admin/sync?status=failed"):
        page = admin.client.get(path).get_data(as_text=True)
        assert "refunds/create" in page
        assert "orders/paid" not in page
        assert "theirs" not in page


def test_the_sync_log_is_for_owners(client, db, store, failed):
    add_user(db, "bench@example.com", "pw-bench", store.shop, Role.WAREHOUSE)
    bench = AdminActions(client)
    bench.login("bench@example.com", "pw-bench")
    assert client.get("/admin/sync").status_code == 403
    token = csrf_token(client.get("/admin/"))  # the sign-out form of every admin page
    replay = client.post("/admin/sync/jobs/restock-1/replay", data={"csrf_token": token})
    assert replay.status_code == 403
    assert "Sync log" not in client.get("/admin/").get_data(as_text=True)


@pytest.fixture
def worker(engine, clock, redis_conn):
    """A worker context on a fake store, and a dispatcher on the queues the admin reads."""
    store = FakeStore()
    context = WorkerContext(engine=engine, clock=clock, connector_for=store.connector)
    with use_context(context):
        yield store, RQDispatcher(engine=engine, connection=redis_conn)


def _failed_restock(db, factory, shop: Shop, worker, run_jobs, error: str) -> StockMovement:
    """A movement whose restock the store refused for good: its job is in the failed registry."""
    store, dispatcher = worker
    movement: StockMovement = add_movement(db, shop, factory.variant(shop))
    store.failures = [FatalStoreError(error)]
    dispatcher.dispatch("movement", movement.id)
    run_jobs()
    return movement


def test_a_failed_job_of_the_shop_is_shown_and_replayed_once_fixed(
    admin, db, factory, store, worker, run_jobs
):
    other = factory.shop(domain="other-shop.myshopify.com")
    db.commit()
    theirs = _failed_restock(db, factory, other, worker, run_jobs, "Invalid ID: theirs")
    mine = _failed_restock(db, factory, store.shop, worker, run_jobs, "Invalid ID: mine")
    page = admin.client.get("/admin/sync")
    text = page.get_data(as_text=True)
    assert f"restock-{mine.id}" in text
    assert "Invalid ID: mine" in text
    assert f"restock-{theirs.id}" not in text
    assert "theirs" not in text

    token = csrf_token(page)
    refused = admin.client.post(
        f"/admin/sync/jobs/restock-{theirs.id}/replay", data={"csrf_token": token}
    )
    assert refused.status_code == 404  # another shop's job is not this shop's to replay
    answer = admin.client.post(
        f"/admin/sync/jobs/restock-{mine.id}/replay",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert f"restock-{mine.id} is queued again." in answer.get_data(as_text=True)
    run_jobs()  # the merchant fixed the product: the store accepts the restock now
    db.expire_all()
    assert db.get_one(StockMovement, mine.id).state == LedgerState.APPLIED
    assert db.get_one(StockMovement, theirs.id).state == LedgerState.FAILED
    assert "No failed jobs." in admin.client.get("/admin/sync").get_data(as_text=True)
