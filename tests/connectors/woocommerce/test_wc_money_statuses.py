"""Order statuses of partly and fully returned orders, and the "Return an item" button.

The store is the emulator over HTTP with the Reshelf Returns plugin; the button is read
from its My Account › Orders page (the plugin's Reshelf_Returns_Buttons::RETURNABLE).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from sqlalchemy import select

from connectors.woocommerce import sync
from connectors.woocommerce.connector import WooCommerceConnector
from core.clock import FrozenClock
from core.models import Order
from core.services import push_return
from sandbox.woocommerce import Emulator, create_emulator
from sandbox.woocommerce.storefront import PluginSettings
from tests.connectors.woocommerce.returns import graded_return
from tests.support.live import serve_wsgi

SHOPPER = "ann@example.com"


@pytest.fixture
def woo() -> Iterator[tuple[Emulator, str, PluginSettings]]:
    """The emulator with the plugin set up and Ann signed in to My Account."""
    app = create_emulator(plugin_installed=True, insecure_callbacks=True, tax_rate="20")
    emulator: Emulator = app.extensions["wc_emulator"]
    settings: PluginSettings = app.extensions["wc_storefront"]
    settings.portal_url, settings.secret = "https://reshelf.example/returns/KEY", "shared"
    settings.shopper_email = SHOPPER
    with serve_wsgi(app) as url:
        yield emulator, url, settings
    emulator.dispatcher.stop()


@pytest.fixture
def now() -> FrozenClock:
    return FrozenClock(datetime.now(UTC))


@pytest.fixture
def ann_order(woo_api: Any) -> dict[str, Any]:
    """Ann's completed order of two tees."""
    customer = woo_api.post("customers", {"email": SHOPPER, "first_name": "Ann"}).json()
    product = woo_api.post(
        "products",
        {"name": "Tee", "sku": "TEE", "regular_price": "25", "manage_stock": True},
    ).json()
    order: dict[str, Any] = woo_api.post(
        "orders",
        {
            "customer_id": customer["id"],
            "payment_method": "stripe",
            "set_paid": True,
            "status": "completed",
            "billing": {"email": SHOPPER, "first_name": "Ann", "country": "FR"},
            "line_items": [{"product_id": product["id"], "quantity": 2}],
        },
    ).json()
    return order


def _my_orders(url: str) -> dict[str, tuple[str, bool]]:
    """My Account › Orders: each order number's status and whether it has the button."""
    page = requests.get(f"{url}/my-account/orders/", timeout=10).text
    rows = re.findall(r"<tr><td>#(\d+)</td><td>[^<]*</td><td>([^<]*)</td>.*?</tr>", page)
    buttons = set(re.findall(r"<tr><td>#(\d+)</td>(?:(?!</tr>).)*Return an item", page))
    return {number: (status, number in buttons) for number, status in rows}


def test_a_partly_returned_order_keeps_the_button_until_every_unit_is_back(
    db, woo, woo_shop, woo_client, ann_order, now
):
    connector = WooCommerceConnector(woo_shop, public_url="http://127.0.0.1:9")
    number = str(ann_order["number"])
    assert _my_orders(woo[1])[number] == ("completed", True)

    first = graded_return(db, woo_shop, woo_client, ann_order, now, units=1)
    push_return(db, first.id, connector, now)
    assert woo_client.get(f"orders/{ann_order['id']}")["status"] == "partly-returned"
    assert _my_orders(woo[1])[number] == ("partly-returned", True)  # one tee is still out
    sync.sync_all(db, woo_shop, woo_client, full=True, clock=now)
    mirrored = db.scalars(select(Order).where(Order.platform_id == str(ann_order["id"]))).one()
    # Created straight into "completed", the order has no date_paid: paid is read from
    # the status, and a partly returned order was paid.
    assert (mirrored.store_status, mirrored.financial_status) == ("partly-returned", "paid")

    second = graded_return(db, woo_shop, woo_client, ann_order, now, units=1)
    push_return(db, second.id, connector, now)
    assert woo_client.get(f"orders/{ann_order['id']}")["status"] == "returned"
    assert _my_orders(woo[1])[number] == ("returned", False)  # nothing left to return


def test_pushing_the_first_return_again_does_not_undo_returned(
    db, woo, woo_shop, woo_client, ann_order, now
):
    """The status counts every return of the order, not only the one pushed."""
    connector = WooCommerceConnector(woo_shop, public_url="http://127.0.0.1:9")
    first = graded_return(db, woo_shop, woo_client, ann_order, now, units=1)
    second = graded_return(db, woo_shop, woo_client, ann_order, now, units=1)
    push_return(db, second.id, connector, now)
    push_return(db, first.id, connector, now)  # a retried job of the earlier return
    assert woo_client.get(f"orders/{ann_order['id']}")["status"] == "returned"
