"""The restock benchmark's stock watch sees every change the emulated store makes."""

from __future__ import annotations

from bench.restock_parts import StockWatch
from sandbox.woocommerce.seed import seed_catalog
from sandbox.woocommerce.store import Store


def test_the_watch_records_a_plugin_restock_and_passes_its_arguments_on():
    store = Store()
    [product] = seed_catalog(store, count=1, stock=5)
    watch = StockWatch(store)

    # The plugin's restock: the emulator's keyword-only ``notify`` must reach the store.
    assert store.update_stock(product["id"], 2, "increase", notify=False) == 7

    assert store.products[product["id"]]["stock_quantity"] == 7
    assert (id(store), product["id"]) in watch.changed_at
