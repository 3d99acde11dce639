"""Deactivating and activating the Reshelf Returns plugin on the emulated store (issue 15,
point 7), as class-reshelf-returns-lifecycle.php does it on a real one."""

from __future__ import annotations

import requests
from woocommerce import API

PARKED = "_reshelf_returns_parked_status"


def _meta(order, key):
    return next((m["value"] for m in order["meta_data"] if m["key"] == key), None)


def _orders(wc_api, make_product):
    item = [{"product_id": make_product()["id"], "quantity": 1}]
    made = {}
    for name, first, then in (
        ("shipping", "processing", "return-requested"),
        ("approved", "completed", "return-approved"),
        ("returned", "completed", "returned"),
        ("refunded", "completed", "return-approved"),
        ("kept", "completed", None),
    ):
        order = wc_api.post("orders", {"status": first, "line_items": item}).json()
        if then:
            order = wc_api.put(f"orders/{order['id']}", {"status": then}).json()
        made[name] = order["id"]
    return made


def _served_namespaces(wc_url):
    return requests.get(f"{wc_url}/wp-json/", timeout=5).json()["namespaces"]


def test_deactivation_parks_return_orders_in_core_statuses_and_activation_restores_them(
    wc_api, wc_url, wc_keys, wc_emulator, make_product
):
    plugin = API(wc_url, *wc_keys, version="wc-reshelf/v1", timeout=10)
    ids = _orders(wc_api, make_product)
    wc_emulator.deactivate_plugin()

    listed = {o["id"]: o for o in wc_api.get("orders", params={"per_page": 100}).json()}
    assert {name: listed[i]["status"] for name, i in ids.items()} == {
        "shipping": "processing",  # where it was when its return started
        "approved": "completed",
        "returned": "completed",
        "refunded": "completed",
        "kept": "completed",
    }
    assert _meta(listed[ids["approved"]], PARKED) == "return-approved"
    assert _meta(listed[ids["kept"]], PARKED) is None
    notes = wc_api.get(f"orders/{ids['returned']}/notes").json()
    assert notes[0]["note"].startswith("Reshelf Returns was deactivated")

    # Without the plugin its statuses and routes are gone.
    refused = wc_api.put(f"orders/{ids['kept']}", {"status": "returned"})
    assert (refused.status_code, refused.json()["code"]) == (400, "rest_invalid_param")
    gone = plugin.get("movements/m-1")
    assert (gone.status_code, gone.json()["code"]) == (404, "rest_no_route")
    assert "wc-reshelf/v1" not in _served_namespaces(wc_url)

    wc_api.put(f"orders/{ids['refunded']}", {"status": "refunded"})
    wc_emulator.activate_plugin()

    listed = {o["id"]: o for o in wc_api.get("orders", params={"per_page": 100}).json()}
    assert {name: listed[i]["status"] for name, i in ids.items()} == {
        "shipping": "return-requested",
        "approved": "return-approved",
        "returned": "returned",
        "refunded": "refunded",  # refunded while the plugin was off: kept
        "kept": "completed",
    }
    assert all(_meta(o, PARKED) is None for o in listed.values())
    assert plugin.get("movements/m-1").json()["code"] == "woocommerce_rest_movement_invalid_id"
    assert "wc-reshelf/v1" in _served_namespaces(wc_url)
