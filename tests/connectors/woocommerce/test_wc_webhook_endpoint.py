"""POST /webhooks/woocommerce/<shop key>, fed by the emulator's real deliveries."""

from __future__ import annotations

import json

import requests
from sqlalchemy import func, select

from connectors.woocommerce import install, webhooks
from connectors.woocommerce.connector import WooCommerceConnector
from connectors.woocommerce.consts import TOPICS
from core.clock import SystemClock
from core.models import InboxDelivery, Order
from core.services import process_delivery


def _inbox(db):
    db.expire_all()
    return list(db.scalars(select(InboxDelivery).order_by(InboxDelivery.id)))


def _endpoint(reshelf, shop):
    return f"{reshelf}/webhooks/woocommerce/{shop.key}"


def test_ping_is_answered_and_not_stored(db, reshelf, woo_shop, woo):
    created = install.subscribe(woo_shop, reshelf)  # each creation pings the endpoint
    assert len(created) == len(TOPICS)
    hooks = woo[0].dispatcher.webhooks.values()
    assert all(not hook.pending_delivery for hook in hooks)  # every ping got its 200
    assert _inbox(db) == []


def test_bad_or_missing_signature_is_401_and_not_stored(db, reshelf, woo_shop):
    body = json.dumps({"id": 1, "date_modified_gmt": "2026-01-01T00:00:00"}).encode()
    headers = {"X-WC-Webhook-Topic": "order.updated", "Content-Type": "application/json"}
    missing = requests.post(_endpoint(reshelf, woo_shop), data=body, headers=headers, timeout=5)
    forged = requests.post(
        _endpoint(reshelf, woo_shop),
        data=body,
        timeout=5,
        headers={**headers, "X-WC-Webhook-Signature": webhooks.sign(body, "not-the-secret")},
    )
    assert (missing.status_code, forged.status_code) == (401, 401)
    assert _inbox(db) == []


def test_signed_but_malformed_is_400(db, reshelf, woo_shop):
    body = b"[1, 2, 3]"
    secret = woo_shop.credential("webhook_secret")
    answer = requests.post(
        _endpoint(reshelf, woo_shop),
        data=body,
        timeout=5,
        headers={
            "X-WC-Webhook-Topic": "order.updated",
            "X-WC-Webhook-Signature": webhooks.sign(body, secret),
        },
    )
    assert answer.status_code == 400
    assert _inbox(db) == []


def test_signed_but_malformed_is_400_with_a_reason(db, reshelf, woo_shop):
    body = b"{not json"
    answer = requests.post(
        _endpoint(reshelf, woo_shop),
        data=body,
        timeout=5,
        headers={
            "X-WC-Webhook-Topic": "order.updated",
            "X-WC-Webhook-Signature": webhooks.sign(body, woo_shop.credential("webhook_secret")),
        },
    )
    assert answer.status_code == 400
    assert answer.text.strip()  # says why, not a bare status
    assert _inbox(db) == []


def test_an_unknown_topic_is_stored_logged_and_left_alone(db, reshelf, woo_shop, caplog):
    body = json.dumps({"id": 5, "date_modified_gmt": "2026-01-01T00:00:00"}).encode()
    answer = requests.post(
        _endpoint(reshelf, woo_shop),
        data=body,
        timeout=5,
        headers={
            "X-WC-Webhook-Topic": "coupon.created",
            "X-WC-Webhook-Signature": webhooks.sign(body, woo_shop.credential("webhook_secret")),
        },
    )
    assert answer.status_code == 200
    (delivery,) = _inbox(db)
    with caplog.at_level("INFO"):
        process_delivery(db, delivery.id, WooCommerceConnector(woo_shop), SystemClock())
    assert (delivery.topic, delivery.body, delivery.status.value) == (
        "coupon.created",
        body,
        "ignored",
    )
    assert "no handler for WooCommerce topic coupon.created" in caplog.text


def test_delivery_is_stored_once_enqueued_and_processed(
    db, reshelf, woo, woo_shop, woo_api, seed, dispatcher
):
    install.subscribe(woo_shop, reshelf)
    seeded = seed()
    assert woo[0].dispatcher.drain()
    created = [d for d in _inbox(db) if d.topic == "order.created"]
    assert len(created) == 1
    assert created[0].dedupe_key.startswith(
        f"order.created:{seeded['order']['id']}:{seeded['order']['date_modified_gmt']}:"
    )
    assert ("inbox", created[0].id) in dispatcher.sent
    # WooCommerce sends the same state again (a coalesced or replayed delivery): one row.
    record = next(
        r for r in woo[0].dispatcher.log if r.headers["X-WC-Webhook-Topic"] == "order.created"
    )
    again = requests.post(
        _endpoint(reshelf, woo_shop), data=record.body, headers=record.headers, timeout=5
    )
    assert again.status_code == 200
    assert len([d for d in _inbox(db) if d.topic == "order.created"]) == 1
    connector = WooCommerceConnector(woo_shop, public_url=reshelf)
    process_delivery(db, created[0].id, connector, SystemClock())
    assert db.scalar(select(func.count(Order.id))) == 1


def test_disconnect_deletes_only_our_webhooks(db, reshelf, woo, woo_shop, woo_client, clock):
    install.subscribe(woo_shop, reshelf)
    woo_client.post(
        "webhooks",
        {"name": "ERP", "topic": "order.created", "delivery_url": "https://erp.example/hook"},
    )
    done = install.disconnect(db, woo_shop, reshelf, clock, delete_data=False)
    assert done.webhooks_removed == len(TOPICS)
    assert [h["name"] for h in woo_client.get("webhooks")] == ["ERP"]
    assert woo_shop.status.value == "uninstalled"
