"""Dispatching: deterministic job ids, one job per piece of work, paced per shop."""

from __future__ import annotations

import re

from rq.job import Job
from rq.rate_limit import RateLimitRegistry

from tests.worker.fakes import add_movement
from worker.queues import RESTOCK, get_queue

JOB_ID = re.compile(r"^[A-Za-z0-9_-]+$")


def test_a_movement_dispatched_twice_is_queued_once(db, factory, rq_dispatcher, redis_conn):
    shop = factory.shop()
    movement = add_movement(db, shop, factory.variant(shop))

    rq_dispatcher.dispatch("movement", movement.id)
    rq_dispatcher.dispatch("movement", movement.id)

    # The id is the movement's own, so any process that dispatches it names the same job,
    # and that one job carries the movement.
    [job_id] = get_queue(RESTOCK, redis_conn).get_job_ids()
    assert job_id == f"restock-{movement.id}"
    assert Job.fetch(job_id, connection=redis_conn).args == (movement.id,)


def test_store_jobs_are_paced_per_shop_by_the_connector_limit(
    db, factory, rq_dispatcher, redis_conn
):
    shop, other = factory.shop(), factory.shop()
    mine = [add_movement(db, shop, factory.variant(shop)) for _ in range(5)]
    theirs = add_movement(db, other, factory.variant(other))

    for movement in [*mine, theirs]:
        rq_dispatcher.dispatch("movement", movement.id)

    # ShopifyConnector.max_concurrency is 2: two of this shop's jobs wait their turn,
    # and the other shop's job is not stuck behind them.
    queued = get_queue(RESTOCK, redis_conn).get_job_ids()
    assert queued == [f"restock-{m.id}" for m in mine[:2]] + [f"restock-{theirs.id}"]
    held = RateLimitRegistry(f"shop-{shop.id}", redis_conn).get_rate_limited_job_ids()
    # The registry orders jobs enqueued in the same instant by id text, not by dispatch.
    assert sorted(held) == sorted(f"restock-{m.id}" for m in mine[2:])


def test_a_return_sync_gets_a_new_job_per_status_change(db, factory, rq_dispatcher, redis_conn):
    from decimal import Decimal

    from core.ports import NullDispatcher
    from core.services import LineRequest, mark_in_transit, request_return

    shop = factory.shop()
    order = factory.order(shop, [(factory.variant(shop), 1, Decimal("10.00"))])
    db.commit()
    ret = request_return(
        db,
        shop_id=shop.id,
        order_id=order.id,
        lines=[LineRequest(order.lines[0].id, 1, None)],
        actor="shopper",
        clock=factory.clock,
        dispatcher=NullDispatcher(),
    )
    rq_dispatcher.dispatch("return_sync", ret.id)
    rq_dispatcher.dispatch("return_sync", ret.id)
    mark_in_transit(
        db,
        shop_id=shop.id,
        return_id=ret.id,
        actor="shopper",
        clock=factory.clock,
        dispatcher=NullDispatcher(),
    )
    rq_dispatcher.dispatch("return_sync", ret.id)

    ids = get_queue(RESTOCK, redis_conn).get_job_ids()
    assert len(ids) == 2
    assert all(i.startswith(f"return-sync-{ret.id}-") and JOB_ID.match(i) for i in ids)


def test_a_finished_job_is_not_enqueued_again_by_dispatch(db, factory, rq_dispatcher, run_jobs):
    shop = factory.shop()
    movement = add_movement(db, shop, factory.variant(shop))
    rq_dispatcher.dispatch("movement", movement.id)
    run_jobs()

    assert rq_dispatcher.ensure("movement", movement.id, replace_dead=False) is None
    job = Job.fetch(f"restock-{movement.id}", connection=rq_dispatcher.connection)
    assert job.get_status() == "finished"
