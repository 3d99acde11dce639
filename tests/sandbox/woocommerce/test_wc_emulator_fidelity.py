"""What the emulator does because the real store does it (issue 15)."""

from __future__ import annotations


def test_options_lists_no_inventory_delta_but_an_update_applies_it(wc_api, make_product):
    product = make_product(stock=4)
    described = wc_api.options(f"products/{product['id']}").json()
    assert all("inventory_delta" not in (e.get("args") or {}) for e in described["endpoints"])
    assert (
        wc_api.put(f"products/{product['id']}", {"inventory_delta": 2}).json()["stock_quantity"]
        == 6
    )
    both = wc_api.put(f"products/{product['id']}", {"stock_quantity": 1, "inventory_delta": 5})
    assert both.json()["stock_quantity"] == 1  # stock_quantity wins ("elseif")


def test_system_status_reports_the_woocommerce_version(wc_api, wc_emulator):
    answer = wc_api.get("system_status", params={"_fields": "environment"}).json()
    assert answer == {
        "environment": {
            "home_url": answer["environment"]["home_url"],
            "site_url": answer["environment"]["site_url"],
            "version": wc_emulator.store.wc_version,
            "wp_version": "6.8.3",
        }
    }
    names = [p["name"] for p in wc_api.get("system_status").json()["active_plugins"]]
    assert names == ["WooCommerce", "Reshelf Returns"]


def test_a_variation_is_named_by_its_attribute(wc_api):
    parent = wc_api.post("products", {"name": "Hoodie", "type": "variable"}).json()
    size = wc_api.post(
        f"products/{parent['id']}/variations",
        {"name": "ignored", "attributes": [{"name": "Size", "option": "L"}]},
    ).json()
    assert size["name"] == "L"


def test_date_paid_only_from_a_payment_or_a_status_change(wc_api, make_product):
    item = [{"product_id": make_product()["id"], "quantity": 1}]
    created = wc_api.post("orders", {"status": "processing", "line_items": item}).json()
    assert (created["date_paid"], created["date_paid_gmt"]) == (None, None)
    assert wc_api.put(f"orders/{created['id']}", {"customer_note": "x"}).json()["date_paid"] is None
    paid = wc_api.post("orders", {"set_paid": True, "line_items": item}).json()
    assert (paid["status"], bool(paid["date_paid_gmt"])) == ("processing", True)
    later = wc_api.post("orders", {"status": "on-hold", "line_items": item}).json()
    moved = wc_api.put(f"orders/{later['id']}", {"status": "processing"}).json()
    assert moved["date_paid_gmt"]
    assert isinstance(moved["line_items"][0]["price"], float)  # a JSON number, as the store
