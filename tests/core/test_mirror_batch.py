"""The batch upsert of mirrored orders: inserts, updates, stale updates, lines, customers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import event, func, select

from core.mirror_batch import CustomerRecord, upsert_orders
from core.mirror_batch.fresh import MIN_ROWS
from core.models import Customer, Order, OrderLine, Variant
from tests.support.records import T0, line_record, order_record


def _count(db, model):
    return db.scalar(select(func.count()).select_from(model))


def test_inserts_orders_with_lines_mapped_to_their_orders(db, factory):
    shop = factory.shop()
    result = upsert_orders(db, shop, [order_record("1"), order_record("2")], stub_variants=True)
    db.commit()
    assert set(result.order_ids) == {"1", "2"}
    assert not result.stale
    for pid, row_id in result.order_ids.items():
        order = db.get(Order, row_id)
        assert order.platform_id == pid
        assert order.shop_id == shop.id
        assert sorted(line.platform_id for line in order.lines) == [f"{pid}-1", f"{pid}-2"]
    order = db.get(Order, result.order_ids["1"])
    assert order.ordered_at == T0 - timedelta(days=1)  # aware UTC back
    assert order.platform_updated_at == T0
    assert (order.total, order.tags, order.payment_gateways) == (Decimal("40.00"), [], [])
    line = order.lines[0]
    assert (line.unit_price, line.discounted_unit_price) == (Decimal("20.00"), Decimal("17.5"))
    assert (line.currency, line.fulfilled_quantity, line.final_sale) == ("EUR", 0, False)
    stub = db.scalars(select(Variant)).one()  # both orders name one variant: one stub
    assert (stub.platform_id, stub.sku, line.variant_id) == ("gid://v/1", "SKU-1", stub.id)


def test_updates_and_keeps_what_the_payload_does_not_say(db, factory):
    shop = factory.shop()
    first = order_record("1", payment_gateways=["stripe"], fulfilled_at=T0, platform_data={"a": 1})
    upsert_orders(db, shop, [first])
    later = order_record(
        "1",
        T0 + timedelta(hours=1),
        total=Decimal("30.00"),
        tags=["vip"],
        lines=[line_record("1-1", quantity=1), line_record("1-3")],
    )
    result = upsert_orders(db, shop, [later])
    db.commit()
    order = db.get(Order, result.order_ids["1"])
    assert (order.total, order.tags) == (Decimal("30.00"), ["vip"])
    assert (order.payment_gateways, order.fulfilled_at) == (["stripe"], T0)  # kept
    assert order.platform_data == {"a": 1}
    assert {line.platform_id: line.quantity for line in order.lines} == {
        "1-1": 1,
        "1-2": 2,
        "1-3": 2,
    }
    assert _count(db, Order) == 1


def test_a_stale_update_changes_nothing(db, factory):
    shop = factory.shop()
    upsert_orders(db, shop, [order_record("1", T0 + timedelta(hours=1), total=Decimal("99"))])
    stale = order_record(
        "1", T0, total=Decimal("1"), lines=[line_record("1-1", quantity=9), line_record("1-9")]
    )
    result = upsert_orders(db, shop, [stale])
    db.commit()
    assert result.stale == {"1"}
    assert not result.order_ids
    order = db.scalars(select(Order)).one()
    assert order.total == Decimal("99.0000")
    assert {line.platform_id: line.quantity for line in order.lines} == {"1-1": 2, "1-2": 2}


def test_a_rerun_is_idempotent(db, factory):
    shop = factory.shop()
    batch = [order_record(str(n)) for n in range(5)]
    first = upsert_orders(db, shop, batch)
    again = upsert_orders(db, shop, batch)
    db.commit()
    assert first.order_ids == again.order_ids
    assert not again.stale
    assert (_count(db, Order), _count(db, OrderLine)) == (5, 10)


def test_the_newest_of_a_repeated_order_wins_within_a_batch(db, factory):
    shop = factory.shop()
    newer = order_record("1", T0 + timedelta(minutes=5), total=Decimal("5"))
    upsert_orders(db, shop, [newer, order_record("1", T0, total=Decimal("1"))])
    db.commit()
    assert db.scalars(select(Order)).one().total == Decimal("5")


def test_customers_are_upserted_linked_and_never_refreshed_when_stale_or_redacted(db, factory):
    shop = factory.shop(currency="EUR")
    ann = CustomerRecord(
        "c1",
        email="ann@example.com",
        tags=["vip"],
        platform_updated_at=T0,
        orders_count=3,
        currency="EUR",
    )
    result = upsert_orders(db, shop, [order_record("1", customer=ann)])
    db.commit()
    customer = db.scalars(select(Customer)).one()
    assert db.get(Order, result.order_ids["1"]).customer_id == customer.id
    assert (customer.email, customer.tags, customer.orders_count) == ("ann@example.com", ["vip"], 3)
    older = replace(ann, email="old@example.com", platform_updated_at=T0 - timedelta(days=1))
    newer = replace(
        ann, email="new@example.com", platform_updated_at=T0 + timedelta(days=1), orders_count=None
    )
    upsert_orders(db, shop, [order_record("2", customer=older), order_record("3", customer=newer)])
    db.commit()
    db.refresh(customer)
    assert (customer.email, customer.orders_count) == ("new@example.com", 3)  # count kept
    customer.redacted_at, customer.email = T0, None
    db.commit()
    latest = replace(newer, platform_updated_at=T0 + timedelta(days=9))
    upsert_orders(db, shop, [order_record("4", customer=latest)])
    db.commit()
    db.refresh(customer)
    assert customer.email is None
    assert (
        db.scalars(select(Order).where(Order.platform_id == "4")).one().customer_id == customer.id
    )


def test_a_sketched_customer_is_created_but_never_updated(db, factory):
    shop = factory.shop()
    known = factory.customer(shop, first_name="Bob")
    sketch = CustomerRecord(
        known.platform_id, email="bob@example.com", first_name="B", refresh=False
    )
    new = CustomerRecord("7", email="kim@example.com", refresh=False)
    upsert_orders(db, shop, [order_record("1", customer=sketch), order_record("2", customer=new)])
    db.commit()
    db.refresh(known)
    assert known.first_name == "Bob"
    assert _count(db, Customer) == 2


def test_variants_linked_by_platform_id_and_final_sale_by_tag(db, factory):
    shop = factory.shop()
    tee = factory.variant(shop, platform_id="gid://v/1", tags=["Final-Sale"])
    order = order_record(
        "1", lines=[line_record("1-1"), line_record("1-2", variant="gid://v/unknown")]
    )
    result = upsert_orders(db, shop, [order], final_sale_tag="final-sale")
    db.commit()
    lines = {line.platform_id: line for line in db.get(Order, result.order_ids["1"]).lines}
    assert (lines["1-1"].variant_id, lines["1-1"].final_sale) == (tee.id, True)
    assert (lines["1-2"].variant_id, lines["1-2"].final_sale) == (None, False)
    assert _count(db, Variant) == 1  # no stubs unless asked


def test_new_rows_go_in_one_statement_per_table_and_stored_ones_through_the_upsert(
    db, factory, engine
):
    """On PostgreSQL a batch's new orders and lines are one INSERT each, not one per row;
    what is stored already is upserted row by row (and keeps what the payload leaves out).
    A small batch goes straight to the upsert."""
    shop = factory.shop()
    sent: list[tuple[str, bool]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith(("INSERT INTO orders", "INSERT INTO order_lines")):
            sent.append((statement.split()[2], executemany))

    def written(records):
        sent.clear()
        upsert_orders(db, shop, records)
        return list(sent)

    many = [order_record(str(n), platform_data={"n": n}) for n in range(MIN_ROWS)]
    event.listen(engine, "before_cursor_execute", record)
    try:
        fresh = written(many)
        again = written([replace(o, platform_data=None) for o in many])
        few = written([order_record(f"few-{n}") for n in range(3)])
    finally:
        event.remove(engine, "before_cursor_execute", record)
    db.commit()
    one_by_one = [("orders", True), ("order_lines", True)]
    assert few == one_by_one
    if engine.dialect.name == "postgresql":
        assert fresh == [("orders", False), ("order_lines", False)]
        assert again == [
            ("orders", False),
            ("orders", True),
            ("order_lines", False),
            ("order_lines", True),
        ]
    else:
        assert fresh == again == one_by_one
    assert (_count(db, Order), _count(db, OrderLine)) == (MIN_ROWS + 3, 2 * MIN_ROWS + 6)
    line = db.scalars(select(OrderLine)).first()
    assert (line.platform_data, line.tax_lines, line.final_sale) == ({}, [], False)
    first = db.scalars(select(Order).where(Order.platform_id == "0")).one()
    assert first.platform_data == {"n": 0}  # stored by the first pass, kept by the second
