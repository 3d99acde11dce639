"""The sweeper finds pending work with no live job: after a flush, a crash, a dead worker."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

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


def _dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_job_whose_worker_died_is_replaced(db, factory, store, rq_dispatcher, redis_conn):
    from worker.runner import ThreadWorker

    shop = factory.shop()
    movement = add_movement(db, shop, factory.variant(shop))
    rq_dispatcher.dispatch("movement", movement.id)
    # What a SIGKILLed worker leaves behind: its registration, and its job marked started.
    dead = ThreadWorker([RESTOCK], connection=redis_conn)
    dead.pid = _dead_pid()
    dead.register_birth()
    job = Job.fetch(f"restock-{movement.id}", connection=redis_conn)
    job.worker_name = dead.name
    job.set_status(JobStatus.STARTED)
    job.save()
    get_queue(RESTOCK, redis_conn).remove(job)

    assert sweep(redis_conn) == 1
    assert Job.fetch(job.id, connection=redis_conn).get_status() == JobStatus.QUEUED
    assert get_queue(RESTOCK, redis_conn).get_job_ids() == [job.id]


def test_a_job_taken_by_a_worker_that_died_before_starting_it_is_replaced(
    db, factory, store, rq_dispatcher, redis_conn, monkeypatch
):
    from worker import abandoned

    shop = factory.shop()
    movement = add_movement(db, shop, factory.variant(shop))
    rq_dispatcher.dispatch("movement", movement.id)
    queue = get_queue(RESTOCK, redis_conn)
    redis_conn.lmove(queue.key, queue.intermediate_queue.key)  # dequeued, then SIGKILL

    assert sweep(redis_conn) == 0  # first sighting: a live worker may be starting it
    monkeypatch.setattr(abandoned, "STUCK_AFTER", timedelta(0))
    assert sweep(redis_conn) == 1
    assert queue.get_job_ids() == [f"restock-{movement.id}"]
    assert queue.intermediate_queue.get_job_ids() == []


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


def test_a_worker_named_by_reshelf_is_known_dead_without_its_registration(redis_conn):
    import socket

    from worker.abandoned import worker_is_gone, worker_name

    assert not worker_is_gone(redis_conn, worker_name())  # this very process
    assert worker_is_gone(redis_conn, f"{_dead_pid()}.abcd1234@{socket.gethostname()}")
    assert not worker_is_gone(redis_conn, f"{_dead_pid()}.abcd1234@another-host")


def test_a_job_out_of_retries_waits_in_the_failed_registry_for_a_person(
    db, factory, store, rq_dispatcher, redis_conn, run_jobs, monkeypatch
):
    from core.errors import RetriableStoreError
    from worker import admin_data, retry

    monkeypatch.setattr(retry, "BACKOFF", [0])
    monkeypatch.setattr(retry, "STORE_RETRIES", 1)
    shop = factory.shop()
    movement = add_movement(db, shop, factory.variant(shop))
    store.failures = [RetriableStoreError("503 Service Unavailable")] * 2
    rq_dispatcher.dispatch("movement", movement.id)
    run_jobs()

    failed = admin_data.failed_jobs_of_shop(db, shop.id, redis_conn)
    assert [f.job_id for f in failed] == [f"restock-{movement.id}"]
    assert sweep(redis_conn) == 0  # pending, but a person decides when to try again
    admin_data.replay(f"restock-{movement.id}", redis_conn)
    run_jobs()
    db.expire_all()
    assert db.get(StockMovement, movement.id).state == LedgerState.APPLIED


def test_discarding_a_job_whose_status_a_flush_took_leaves_no_remnant(
    db, factory, rq_dispatcher, redis_conn
):
    """After a flush a live worker may write a few fields of its job back: the hash is
    found, but its status is gone by the time the job is deleted."""
    from worker.abandoned import discard

    shop = factory.shop()
    movement = add_movement(db, shop, factory.variant(shop))
    rq_dispatcher.dispatch("movement", movement.id)
    job_id = f"restock-{movement.id}"
    redis_conn.hdel(Job.key_for(job_id), "status")

    discard(redis_conn, job_id)

    assert not redis_conn.exists(Job.key_for(job_id))
