"""The sweeper finds pending work with no live job: after a flush, a crash, a dead worker."""

from __future__ import annotations

from rq.job import Job, JobStatus

from core.enums import LedgerState
from core.models import StockMovement
from tests.worker.fakes import add_movement
from worker.queues import RESTOCK, get_queue
from worker.sweeper import sweep


def test_after_a_redis_flush_the_sweeper_requeues_pending_movements_once(
    db, factory, store, rq_dispatcher, redis_conn, run_jobs
):
    shop = factory.shop()
    movements = [add_movement(db, shop, factory.variant(shop), quantity=2) for _ in range(3)]
    for movement in movements:
        rq_dispatcher.dispatch("movement", movement.id)
    redis_conn.flushdb()

    assert sweep(redis_conn) == 3
    assert sweep(redis_conn) == 0  # already queued (or held back by pacing): nothing twice
    run_jobs()

    db.expire_all()
    assert {m.state for m in db.query(StockMovement)} == {LedgerState.APPLIED}
    assert sum(store.stock.values()) == 6
    assert sweep(redis_conn) == 0


def test_work_committed_but_never_enqueued_is_found(db, factory, store, redis_conn, run_jobs):
    shop = factory.shop()
    movement = add_movement(db, shop, factory.variant(shop))  # the process died right here

    assert sweep(redis_conn) == 1
    run_jobs()
    db.expire_all()
    assert db.get(StockMovement, movement.id).state == LedgerState.APPLIED


def test_a_job_whose_worker_died_is_replaced(db, factory, store, rq_dispatcher, redis_conn):
    shop = factory.shop()
    movement = add_movement(db, shop, factory.variant(shop))
    rq_dispatcher.dispatch("movement", movement.id)
    job = Job.fetch(f"restock-{movement.id}", connection=redis_conn)
    # What a SIGKILLed worker leaves behind: the job marked started by a worker that is gone.
    job.worker_name = "worker-that-was-killed"
    job.set_status(JobStatus.STARTED)
    job.save()
    get_queue(RESTOCK, redis_conn).remove(job)

    assert sweep(redis_conn) == 1
    assert Job.fetch(job.id, connection=redis_conn).get_status() == JobStatus.QUEUED
    assert get_queue(RESTOCK, redis_conn).get_job_ids() == [job.id]


def test_a_job_running_on_a_live_worker_is_left_alone(
    db, factory, store, rq_dispatcher, redis_conn
):
    from worker.runner import ThreadWorker

    shop = factory.shop()
    movement = add_movement(db, shop, factory.variant(shop))
    rq_dispatcher.dispatch("movement", movement.id)
    live = ThreadWorker([RESTOCK], connection=redis_conn)
    live.register_birth()
    job = Job.fetch(f"restock-{movement.id}", connection=redis_conn)
    job.worker_name = live.name
    job.set_status(JobStatus.STARTED)
    job.save()

    assert sweep(redis_conn) == 0
    live.register_death()
