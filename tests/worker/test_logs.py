"""Logs are JSON lines carrying the ids of what a job works on."""

from __future__ import annotations

import json
import logging

from tests.worker.fakes import add_movement
from worker.logs import JsonLinesFormatter, bind


def test_records_carry_the_ids_bound_where_they_were_logged(caplog):
    with caplog.at_level(logging.INFO, logger="worker.test"):
        with bind(shop_id=3, movement_id=17, job_id="restock-17"):
            logging.getLogger("worker.test").warning("store said %s", "no")
        logging.getLogger("worker.test").info("outside")

    inside, outside = (json.loads(JsonLinesFormatter().format(r)) for r in caplog.records)
    assert inside["message"] == "store said no"
    assert (inside["shop_id"], inside["movement_id"], inside["job_id"]) == (3, 17, "restock-17")
    assert inside["level"] == "warning"
    assert "return_id" not in inside
    assert "shop_id" not in outside


def test_a_job_logs_with_its_ids(db, factory, store, rq_dispatcher, run_jobs, caplog):
    shop = factory.shop()
    movement = add_movement(db, shop, factory.variant(shop))
    rq_dispatcher.dispatch("movement", movement.id)
    formatter = JsonLinesFormatter()

    with caplog.at_level(logging.INFO, logger="worker.jobs"):
        run_jobs()

    lines = [json.loads(formatter.format(r)) for r in caplog.records if r.name == "worker.jobs"]
    assert {
        "message": "done",
        "shop_id": shop.id,
        "movement_id": movement.id,
        "job_id": f"restock-{movement.id}",
    }.items() <= lines[-1].items()
