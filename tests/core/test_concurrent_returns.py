"""Concurrent requests for the same units: one return, on every database Reshelf runs on."""

from __future__ import annotations

import threading
from decimal import Decimal

from sqlalchemy import func, select

from core.db import session_factory
from core.errors import QuantityExceeded
from core.models import ReturnLine, ReturnRequest
from core.ports import RecordingDispatcher
from core.services import LineRequest, request_return
from core.services.policies import published_policy

THREADS = 8


def test_eight_concurrent_requests_for_the_same_units_make_one_return(db, engine, factory, clock):
    shop = factory.shop()
    order = factory.order(shop, [(factory.variant(shop), 2, Decimal("25.00"))])
    published_policy(db, shop.id)  # the default policy exists before the race begins
    db.commit()
    line_id = order.lines[0].id
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def ask() -> None:
        with session_factory(engine)() as session:
            barrier.wait()
            try:
                request_return(
                    session,
                    shop_id=shop.id,
                    order_id=order.id,
                    lines=[LineRequest(line_id, 2, "too_small")],
                    actor="shopper",
                    clock=clock,
                    dispatcher=RecordingDispatcher(),
                )
            except QuantityExceeded:
                session.rollback()
                outcomes.append("refused")
            except Exception as exc:  # noqa: BLE001 - the assertion below names it
                outcomes.append(repr(exc))
            else:
                outcomes.append("returned")

    threads = [threading.Thread(target=ask) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused"] * (THREADS - 1) + ["returned"]
    db.expire_all()
    assert db.scalar(select(func.count(ReturnRequest.id))) == 1
    assert db.scalar(select(func.sum(ReturnLine.quantity))) == 2
