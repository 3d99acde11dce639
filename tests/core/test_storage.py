"""What the database keeps: encrypted secrets, exact money, UTC times, frozen policies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from core import crypto
from core.config import get_settings
from core.models import Customer, InboxDelivery, PublishedPolicyError, Shop
from core.services.policies import create_draft, publish_policy, published_policy


def test_credentials_are_encrypted_at_rest_and_survive_key_rotation(db, factory):
    shop = factory.shop()
    shop.set_credentials(access_token="shpat_secret_token", api_secret="s3cr3t")
    db.commit()
    raw = db.execute(text("SELECT credentials FROM shops WHERE id = :id"), {"id": shop.id}).one()
    assert b"shpat_secret_token" not in bytes(raw[0])
    old_keys = list(get_settings().encryption_keys)
    try:
        # A new key goes first; rows written under the old one still decrypt.
        crypto.use_keys([Fernet.generate_key().decode(), *old_keys])
        db.expire_all()
        assert db.get(Shop, shop.id).credential("access_token") == "shpat_secret_token"
    finally:
        crypto.use_keys(old_keys)


def test_money_is_exact_and_times_come_back_in_utc(db, factory):
    shop = factory.shop()
    plus_nine = timezone(timedelta(hours=9))
    customer = Customer(
        shop_id=shop.id,
        platform_id="c1",
        total_spent=Decimal("1234567890.1234"),
        platform_updated_at=datetime(2026, 1, 2, 9, 0, tzinfo=plus_nine),
    )
    db.add(customer)
    db.commit()
    db.expire_all()
    loaded = db.get(Customer, customer.id)
    assert loaded.total_spent == Decimal("1234567890.1234")
    assert loaded.platform_updated_at == datetime(2026, 1, 2, 0, 0, tzinfo=UTC)
    assert loaded.platform_updated_at.tzinfo is not None


def test_a_published_policy_version_cannot_change(db, factory, clock):
    shop = factory.shop()
    version = create_draft(db, shop.id, [{"name": "all", "when": {}, "then": {}}])
    publish_policy(db, version, "owner", clock)
    db.commit()
    version.rules[0].outcome = {"eligible": False}
    with pytest.raises(PublishedPolicyError):
        db.commit()
    db.rollback()


def test_publishing_a_new_version_retires_the_old_one(db, factory, clock):
    shop = factory.shop()
    first = create_draft(db, shop.id, [{"when": {}, "then": {"window_days": 30}}])
    publish_policy(db, first, "owner", clock)
    second = create_draft(db, shop.id, [{"when": {}, "then": {"window_days": 60}}])
    publish_policy(db, second, "owner", clock)
    db.commit()
    in_force, compiled = published_policy(db, shop.id)
    assert in_force.id == second.id
    assert compiled.rules[0].outcome.window_days == 60
    assert first.status.value == "retired"
    assert second.version == first.version + 1


def test_ids_that_name_jobs_are_never_reused_after_a_delete(db, factory, clock):
    shop = factory.shop()

    def delivery() -> InboxDelivery:
        row = InboxDelivery(
            shop_id=shop.id,
            platform=shop.platform,
            topic="orders/create",
            dedupe_key=str(clock.now().timestamp()),
            received_at=clock.now(),
        )
        clock.advance(seconds=1)
        db.add(row)
        db.commit()
        return row

    first = delivery()
    gone = first.id
    db.delete(first)
    db.commit()
    assert delivery().id > gone  # "inbox-<id>" of the deleted row must not name a new one
