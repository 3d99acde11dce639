"""The sync log: the shop's deliveries with their status and error, for its owners only."""

from __future__ import annotations

import httpx
import pytest

from connectors.shopify.connector import ShopifyConnector
from core.enums import InboxStatus, Platform, Role
from core.models import InboxDelivery, Shop
from core.services import process_delivery
from tests.webapp.actions import AdminActions
from webapp.users import add_user


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
    assert "Sync log" not in client.get("/admin/").get_data(as_text=True)
