"""Deactivating and activating the Reshelf Returns plugin in wp-admin › Plugins.

As manifests/woocommerce/reshelf-returns/includes/class-reshelf-returns-lifecycle.php does
it: deactivation (``register_deactivation_hook``, run while the plugin is still loaded)
moves every order in a return status to the core status it had before its return started
(``completed`` when none was recorded), keeping the return status in the order's meta;
activation puts it back, unless the order was moved on meanwhile. While the plugin is off,
its routes and its statuses are gone: the REST API refuses ``status: return-requested``
(``wc_get_order_statuses()`` no longer lists it) and ``/wp-json/`` no longer lists
``wc-reshelf/v1``.
"""

from __future__ import annotations

from .ordering import CORE_STATUSES, add_note
from .plugin import BEFORE_META, PARKED_META, STATUSES, get_meta, set_meta
from .store import Resource, Store

FALLBACK_STATUS = "completed"  # Reshelf_Returns_Lifecycle::FALLBACK_STATUS


def _core_status(order: Resource) -> str:
    """``Reshelf_Returns_Lifecycle::core_status``: the status before the return, if core."""
    before = get_meta(order, BEFORE_META)
    return before if before in CORE_STATUSES else FALLBACK_STATUS


def deactivate(site: Store) -> list[int]:
    """Park the orders in return statuses; the ids of those that moved."""
    moved = []
    with site.lock:
        for order in site.orders.values():
            if order["status"] not in STATUSES:
                continue
            target = _core_status(order)
            set_meta(site, order, PARKED_META, order["status"])
            note = (
                "Reshelf Returns was deactivated: the order keeps its return status "
                f"({order['status']}) in its data and gets it back when the plugin is "
                f"activated again. Order status changed from {order['status']} to {target}."
            )
            order["status"] = target
            add_note(site, order["id"], note, False)
            site.stamp(order, "date_modified")
            moved.append(order["id"])
        site.plugin_installed = False
        site.plugin_statuses = ()
    for order_id in moved:
        site.emit("order", "updated", order_id)
    return moved


def activate(site: Store) -> list[int]:
    """Register the plugin again and restore parked orders; the ids of those restored."""
    restored, touched = [], []
    with site.lock:
        site.plugin_installed = True
        site.plugin_statuses = STATUSES
        for order in site.orders.values():
            parked = get_meta(order, PARKED_META)
            if not parked:
                continue
            set_meta(site, order, PARKED_META, None)
            site.stamp(order, "date_modified")
            touched.append(order["id"])
            if parked not in STATUSES or order["status"] != _core_status(order):
                continue  # moved on while the plugin was off (refunded, cancelled...)
            note = (
                "Reshelf Returns was activated: the order is back in its return status. "
                f"Order status changed from {order['status']} to {parked}."
            )
            order["status"] = parked
            add_note(site, order["id"], note, False)
            restored.append(order["id"])
    for order_id in touched:  # $order->save() fires woocommerce_update_order: order.updated
        site.emit("order", "updated", order_id)
    return restored
