"""Tools › Erase Personal Data, as far as the Reshelf Returns plugin takes part in it.

WordPress (wp-admin/includes/ajax-actions.php ``wp_ajax_wp_privacy_erase_personal_data``)
calls each eraser that the ``wp_privacy_personal_data_erasers`` filter lists with the
request's email address and a page number. The plugin's eraser
(manifests/woocommerce/reshelf-returns/includes/class-reshelf-returns-privacy.php) finds
the shopper's account and orders as WooCommerce's own order eraser does
(``WC_Privacy_Erasers::order_data_eraser``: orders by billing email or customer id) and
fires ``wc_reshelf_erase_personal_data`` with them; Reshelf's ``action.`` webhook on that
hook delivers it, signed like every delivery.
"""

from __future__ import annotations

import uuid
from typing import Any

from .store import Store

ACTION = "wc_reshelf_erase_personal_data"


def erase_personal_data(site: Store, email: str) -> dict[str, Any]:
    """Run the plugin's eraser for ``email``; the eraser's answer to WordPress."""
    wanted = email.strip().lower()
    with site.lock:
        user = next((c for c in site.customers.values() if c["email"].lower() == wanted), None)
        user_id = int(user["id"]) if user else 0
        order_ids = sorted(
            int(o["id"])
            for o in site.orders.values()
            if (o.get("billing") or {}).get("email", "").lower() == wanted
            or (user_id and int(o.get("customer_id") or 0) == user_id)
        )
    request = {
        "request": str(uuid.uuid4()),
        "email": wanted,
        "customer_id": user_id,
        "order_ids": order_ids,
    }
    site.emit("action", ACTION, request)
    return {
        "items_removed": False,
        "items_retained": False,
        "messages": ["Reshelf was asked to erase this person's data."],
        "done": True,
    }
