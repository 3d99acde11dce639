"""Reading back a shop's mirrored rows by platform id, as the batch writer does."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.mirror_batch import by_platform_id
from core.mirror_batch.lookup import lookup_query
from core.models import Order
from tests.support.factories import Factory


def test_maps_the_shops_platform_ids_to_row_ids(db, factory: Factory):
    shop, other = factory.shop(), factory.shop()
    mine, theirs = factory.order(shop), factory.order(other)
    db.commit()
    wanted = [mine.platform_id, theirs.platform_id, "gid://shopify/Order/404"]
    rows = by_platform_id(db, Order, shop.id, wanted, Order.id, Order.number)
    assert [tuple(row) for row in rows] == [(mine.platform_id, mine.id, mine.number)]
    assert [row[1] for row in by_platform_id(db, Order, other.id, wanted, Order.id)] == [theirs.id]
    assert by_platform_id(db, Order, shop.id, [], Order.id) == []


def test_postgresql_probes_the_unique_key_before_statistics_know_the_shop(db, factory: Factory):
    """A first backfill: thousands of rows, no ANALYZE yet. A plain IN list is planned
    as a scan of all the shop's rows per batch; the lookup must stay on the unique key."""
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("the plan in question is PostgreSQL's")
    shop = factory.shop()
    db.commit()
    db.execute(
        text(
            "INSERT INTO orders (shop_id, platform_id, number, name, currency, subtotal, total,"
            " ordered_at, tags, payment_gateways, platform_data, created_at, updated_at)"
            " SELECT :shop, 'gid://shopify/Order/' || g, g::text, '', 'USD', 1, 1, now(),"
            " '[]', '[]', '{}', now(), now() FROM generate_series(1, 20000) g"
        ),
        {"shop": shop.id},
    )
    wanted = [f"gid://shopify/Order/{n}" for n in range(19001, 20001)]
    query = lookup_query("postgresql", Order, shop.id, wanted, Order.id)
    sql = query.compile(dialect=db.get_bind().dialect, compile_kwargs={"literal_binds": True})
    plan = "\n".join(row[0] for row in db.execute(text(f"EXPLAIN (COSTS OFF) {sql}")))
    assert "Index Scan using uq_orders_shop_id_platform_id" in plan, plan
    assert "Bitmap" not in plan, plan
    assert len(by_platform_id(db, Order, shop.id, wanted, Order.id)) == 1000
