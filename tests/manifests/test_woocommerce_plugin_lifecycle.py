"""The plugin's deactivation and activation hooks, run by php-cli against stand-ins for
WordPress and WooCommerce (wc_lifecycle_harness.php says what they keep of the real code)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .test_woocommerce_plugin import PHP, PLUGIN, needs_php

HARNESS = Path(__file__).with_name("wc_lifecycle_harness.php")
PARKED = "_reshelf_returns_parked_status"
BEFORE = "_reshelf_returns_status_before"
RETURN_STATUSES = {"return-requested", "return-approved", "returned"}
BULK = [str(i) for i in range(100, 230)]  # more than one batch of "returned" orders


@pytest.fixture(scope="module", params=["hpos", "posts"])
def run(request, tmp_path_factory):
    """The orders before, after deactivation and after activation, on one order storage."""
    wordpress = tmp_path_factory.mktemp("wordpress")
    upgrade = wordpress / "wp-admin" / "includes" / "upgrade.php"
    upgrade.parent.mkdir(parents=True)
    upgrade.write_text("<?php function dbDelta( $sql ) { return array(); }\n")
    result = subprocess.run(
        [PHP, str(HARNESS), str(PLUGIN), str(wordpress), request.param],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def _statuses(stage):
    return {order_id: order["status"] for order_id, order in stage["orders"].items()}


@needs_php
def test_an_order_entering_a_return_status_remembers_the_one_before(run):
    orders = run["before"]["orders"]
    assert orders["1"]["meta"][BEFORE] == "processing"
    assert orders["2"]["meta"][BEFORE] == "completed"  # not "return-requested", its step before


@needs_php
def test_deactivation_moves_every_return_order_to_a_core_status_and_keeps_its_own(run):
    before, after = run["before"]["orders"], run["deactivated"]["orders"]
    assert not RETURN_STATUSES & set(_statuses(run["deactivated"]).values())
    assert after["1"]["status"] == "processing"  # back where it was before the return
    assert after["2"]["status"] == after["3"]["status"] == "completed"
    assert after["5"]["status"] == "completed"  # no status recorded: completed
    for order_id, order in before.items():
        if order["status"] in RETURN_STATUSES:
            assert after[order_id]["meta"][PARKED] == order["status"], order_id
        else:
            assert after[order_id] == order, order_id
    assert all(after[i]["meta"][PARKED] == "returned" for i in BULK)
    assert "Reshelf Returns was deactivated" in after["2"]["notes"][0]
    assert run["deactivated"]["time_resets"] > 1  # one per batch


@needs_php
def test_deactivation_does_not_email_the_shopper_that_the_order_is_complete(run):
    assert run["deactivated"]["emails"] == []


@needs_php
def test_activation_restores_the_return_statuses_unless_the_store_moved_the_order_on(run):
    before, after = run["before"]["orders"], run["activated"]["orders"]
    for order_id, order in before.items():
        assert PARKED not in after[order_id]["meta"], order_id
        if order_id != "6":
            assert after[order_id]["status"] == order["status"], order_id
    assert after["6"]["status"] == "refunded"  # refunded in full while the plugin was off
    assert "Reshelf Returns was activated" in after["2"]["notes"][-1]
    assert run["activated"]["emails"] == []


@needs_php
def test_activation_reads_only_the_parked_orders(run):
    """On the posts store too, where wc_get_orders() drops a meta_query nobody passes on."""
    parked = sum(1 for o in run["deactivated"]["orders"].values() if PARKED in o["meta"])
    assert run["activated"]["loaded"] == parked
