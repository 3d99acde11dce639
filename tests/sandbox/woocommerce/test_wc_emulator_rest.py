"""The emulator's REST v3 behaves as WooCommerce does, over real HTTP."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import requests


def test_pagination_headers_and_link(wc_api, make_product):
    for number in range(5):
        make_product(sku=f"SKU-{number}")
    answer = wc_api.get(
        "products", params={"per_page": 2, "page": 2, "orderby": "id", "order": "asc"}
    )
    assert answer.status_code == 200
    assert answer.headers["X-WP-Total"] == "5"
    assert answer.headers["X-WP-TotalPages"] == "3"
    assert [p["sku"] for p in answer.json()] == ["SKU-2", "SKU-3"]
    rels = dict(
        (rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', answer.headers["Link"])
    )
    assert set(rels) == {"prev", "next"}
    assert "page=3" in rels["next"]
    assert "orderby=id" in rels["next"]  # the request's query, as add_query_arg keeps it


def test_per_page_above_100_is_rejected(wc_api):
    answer = wc_api.get("products", params={"per_page": 101})
    assert answer.status_code == 400
    error = answer.json()
    assert error["code"] == "rest_invalid_param"
    assert error["data"]["status"] == 400
    assert "per_page" in error["data"]["params"]


def test_modified_after_honours_dates_are_gmt(wc_api, make_product):
    product = make_product()
    gmt = datetime.fromisoformat(product["date_modified_gmt"])
    assert datetime.fromisoformat(product["date_modified"]) == gmt + timedelta(hours=2)
    one_hour_later = (gmt + timedelta(hours=1)).isoformat()
    by_gmt = wc_api.get(
        "products", params={"modified_after": one_hour_later, "dates_are_gmt": "true"}
    )
    by_site_time = wc_api.get("products", params={"modified_after": one_hour_later})
    assert by_gmt.json() == []
    assert [p["id"] for p in by_site_time.json()] == [product["id"]]
    exact = wc_api.get(
        "products", params={"modified_after": gmt.isoformat(), "dates_are_gmt": "true"}
    )
    assert exact.json() == []  # "after" is exclusive (WP_Date_Query)


def test_order_reduces_stock_once_and_flags_it(wc_api, make_product, wc_emulator):
    product = make_product(stock=10)
    order = wc_api.post(
        "orders",
        {
            "line_items": [{"product_id": product["id"], "quantity": 3}],
            "billing": {"email": "ann@example.com"},
        },
    )
    assert order.status_code == 201
    assert wc_api.get(f"products/{product['id']}").json()["stock_quantity"] == 10  # pending
    order_id = order.json()["id"]
    wc_api.put(f"orders/{order_id}", {"status": "processing"})
    wc_api.put(f"orders/{order_id}", {"status": "completed"})
    assert wc_api.get(f"products/{product['id']}").json()["stock_quantity"] == 7
    assert wc_emulator.store.order_stock_reduced[order_id] is True
    item_id = order.json()["line_items"][0]["id"]
    assert wc_emulator.store.item_reduced_stock[item_id] == 3


def _paid_order(wc_api, product, gateway="stripe", quantity=2):
    answer = wc_api.post(
        "orders",
        {
            "payment_method": gateway,
            "set_paid": True,
            "line_items": [{"product_id": product["id"], "quantity": quantity}],
        },
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_refund_on_manual_gateway_with_api_refund_is_500(wc_api, make_product):
    product = make_product(stock=10)
    order = _paid_order(wc_api, product, gateway="bacs")
    item = order["line_items"][0]
    refund = {"line_items": [{"id": item["id"], "quantity": 1, "refund_total": "20.00"}]}
    answer = wc_api.post(f"orders/{order['id']}/refunds", refund)
    assert answer.status_code == 500
    assert answer.json()["code"] == "woocommerce_rest_cannot_create_order_refund"
    assert wc_api.get(f"products/{product['id']}").json()["stock_quantity"] == 8  # untouched
    answer = wc_api.post(f"orders/{order['id']}/refunds", {**refund, "api_refund": False})
    assert answer.status_code == 201
    assert wc_api.get(f"products/{product['id']}").json()["stock_quantity"] == 9


def test_refund_restocks_only_reduced_units_and_only_with_api_restock(wc_api, make_product):
    product = make_product(stock=10)
    order = _paid_order(wc_api, product, quantity=2)
    item = order["line_items"][0]
    no_restock = {
        "api_restock": False,
        "line_items": [{"id": item["id"], "quantity": 1, "refund_total": "20"}],
    }
    assert wc_api.post(f"orders/{order['id']}/refunds", no_restock).status_code == 201
    assert wc_api.get(f"products/{product['id']}").json()["stock_quantity"] == 8
    restock = {"line_items": [{"id": item["id"], "quantity": 1, "refund_total": "20"}]}
    assert wc_api.post(f"orders/{order['id']}/refunds", restock).status_code == 201
    assert wc_api.get(f"products/{product['id']}").json()["stock_quantity"] == 9
    refreshed = wc_api.get(f"orders/{order['id']}").json()
    assert refreshed["status"] == "refunded"
    assert [r["total"] for r in refreshed["refunds"]] == ["-20.00", "-20.00"]
    too_much = wc_api.post(f"orders/{order['id']}/refunds", {"amount": "1", "api_refund": False})
    assert too_much.status_code == 500


def test_pending_order_refund_does_not_restock(wc_api, make_product):
    product = make_product(stock=5)
    order = wc_api.post(
        "orders",
        {
            "payment_method": "stripe",
            "status": "pending",
            "line_items": [{"product_id": product["id"], "quantity": 1}],
        },
    )
    item = order.json()["line_items"][0]
    wc_api.post(
        f"orders/{order.json()['id']}/refunds",
        {"line_items": [{"id": item["id"], "quantity": 1, "refund_total": "20"}]},
    )
    assert wc_api.get(f"products/{product['id']}").json()["stock_quantity"] == 5


def test_batch_accepts_100_and_refuses_101(wc_api):
    hundred = [{"name": f"P{n}", "sku": f"B-{n}"} for n in range(100)]
    answer = wc_api.post("products/batch", {"create": hundred})
    assert answer.status_code == 200
    assert len(answer.json()["create"]) == 100
    answer = wc_api.post("products/batch", {"create": [*hundred, {"name": "one too many"}]})
    assert answer.status_code == 413  # check_batch_limit(): 413, not 400
    assert answer.json()["code"] == "woocommerce_rest_request_entity_too_large"


def test_inventory_delta_and_meta_in_one_request(wc_api, make_product):
    product = make_product(stock=4)
    answer = wc_api.put(
        f"products/{product['id']}",
        {"inventory_delta": 3, "meta_data": [{"key": "reshelf_movement_9", "value": "3"}]},
    )
    assert answer.json()["stock_quantity"] == 7
    assert {"key": "reshelf_movement_9", "value": "3"}.items() <= answer.json()["meta_data"][
        0
    ].items()


def test_notes_coupons_and_unknown_ids(wc_api, make_product):
    order = _paid_order(wc_api, make_product())
    note = wc_api.post(f"orders/{order['id']}/notes", {"note": "Return RS-1 received"})
    assert note.status_code == 201
    assert wc_api.get(f"orders/{order['id']}/notes").json()[0]["note"] == "Return RS-1 received"
    coupon = {
        "code": "RS-CREDIT-1",
        "amount": "25",
        "usage_limit": 1,
        "email_restrictions": ["ann@example.com"],
    }
    assert wc_api.post("coupons", coupon).status_code == 201
    again = wc_api.post("coupons", coupon)
    assert again.status_code == 400
    assert again.json()["code"] == "woocommerce_rest_coupon_code_already_exists"
    assert wc_api.get("coupons", params={"code": "rs-credit-1"}).json()[0]["amount"] == "25.00"
    missing = wc_api.get("orders/999999")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "woocommerce_rest_shop_order_invalid_id",
        "message": "Invalid ID.",
        "data": {"status": 404},
    }


def test_plugin_stock_route_applies_each_movement_once(wc_url, wc_keys, make_product):
    from woocommerce import API

    product = make_product(stock=1)
    plugin = API(wc_url, *wc_keys, version="wc-reshelf/v1", timeout=10)
    movement = {"product_id": product["id"], "quantity": 2, "movement_id": "mv-1"}
    first, second = plugin.post("stock", movement), plugin.post("stock", movement)
    assert (first.status_code, first.json()["stock_quantity"]) == (201, 3)
    assert (second.status_code, second.json()["duplicate"]) == (200, True)
    assert plugin.get("movements/mv-1").json()["quantity"] == 2
    assert requests.get(f"{wc_url}/wp-json/", timeout=5).json()["namespaces"][-1] == "wc-reshelf/v1"


def test_seeded_store_pages_like_any_other(wc_api, wc_emulator):
    from sandbox.woocommerce.seed import seed_catalog, seed_orders

    products = seed_catalog(wc_emulator.store, count=3, stock=200)
    seed_orders(wc_emulator.store, products, 250)
    last = wc_api.get("orders", params={"per_page": 100, "page": 3})
    assert last.headers["X-WP-TotalPages"] == "3"
    assert len(last.json()) == 50
    assert (
        sum(p["stock_quantity"] for p in wc_api.get("products").json()) == 600 - 375
    )  # 1 or 2 units each


def test_unknown_routes_and_methods_answer_rest_no_route(wc_url):
    for answer in (
        requests.get(f"{wc_url}/wp-json/wc/v3/nothing-here", timeout=5),
        requests.patch(f"{wc_url}/wp-json/", timeout=5),
    ):
        assert answer.status_code == 404
        assert answer.json()["code"] == "rest_no_route"
