"""Reading back a shop's mirrored rows by platform id, as the batch writer does."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.mirror_batch import by_platform_id, upsert_orders
from core.mirror_batch.lookup import lookup_query
from core.models import Order
from tests.support.factories import Factory
from tests.support.records import order_record


def test_maps_the_shops_platform_ids_to_row_ids(db, factory: Factory):
    shop, other = factory.shop(), factory.shop()
    mine, theirs = factory.order(shop), factory.order(other)
    db.commit()
    wanted = [mine.platform_id, theirs.platform_id, "gid://shopify/Order/404"]
    rows = by_platform_id(db, Order, shop.id, wanted, Order.id, Order.number)
    assert [tuple(row) for row in rows] == [(mine.platform_id, mine.id, mine.number)]
    assert [row[1] for row in by_platform_id(db, Order, other.id, wanted, Order.id)] == [theirs.id]
    assert by_platform_id(db, Order, shop.id, [], Order.id) == []


def test_a_first_backfill_keeps_the_lookup_on_the_unique_key(db, factory: Factory):
    """Thousands of a new shop's orders and no ANALYZE yet: the planner rates the unique key
    no better than ix_orders_shop_number and may probe through that, reading every row of
    the shop for each id. The batch writer keeps the statistics current itself."""
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("the plan in question is PostgreSQL's")
    shop = factory.shop()
    db.commit()
    for first in range(0, 1_200, 100):
        upsert_orders(db, shop, [order_record(str(n)) for n in range(first, first + 100)])
        db.commit()
    wanted = [str(n) for n in range(1_000, 1_100)]
    query = lookup_query("postgresql", Order, shop.id, wanted, Order.id)
    sql = query.compile(dialect=db.get_bind().dialect, compile_kwargs={"literal_binds": True})
    plan = "\n".join(row[0] for row in db.execute(text(f"EXPLAIN (COSTS OFF) {sql}")))
    assert "Index Scan using uq_orders_shop_id_platform_id" in plan, plan
    assert len(by_platform_id(db, Order, shop.id, wanted, Order.id)) == 100
