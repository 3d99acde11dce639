"""``reshelf shop add woocommerce``: checks the keys, subscribes webhooks, backfills."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from connectors.woocommerce.cli import add_woocommerce
from connectors.woocommerce.consts import TOPICS
from core.enums import Platform
from core.models import Order, Shop


def test_add_with_good_keys(db, woo, woo_keys, seed):
    seed()
    result = CliRunner().invoke(
        add_woocommerce,
        ["--url", woo[1], "--consumer-key", woo_keys[0], "--consumer-secret", woo_keys[1]],
    )
    assert result.exit_code == 0, result.output
    assert f"{len(TOPICS)} webhooks created" in result.output
    shop = db.scalars(select(Shop).where(Shop.platform == Platform.WOOCOMMERCE)).one()
    assert shop.credential("consumer_secret") == woo_keys[1]
    assert db.scalar(select(func.count(Order.id))) == 1


def test_add_with_bad_keys_stores_nothing(db, woo):
    result = CliRunner().invoke(
        add_woocommerce, ["--url", woo[1], "--consumer-key", "ck_no", "--consumer-secret", "cs_no"]
    )
    assert result.exit_code != 0
    assert "Consumer key is invalid" in result.output
    assert db.scalar(select(func.count(Shop.id))) == 0
