"""WooCommerce constants Reshelf relies on, in one place."""

from __future__ import annotations

API_VERSION = "wc/v3"
# The companion plugin's REST namespace; "wc-" makes WooCommerce authenticate it with
# the same API keys (WC_REST_Authentication::is_request_to_rest_api).
PLUGIN_NAMESPACE = "wc-reshelf/v1"
PER_PAGE = 100  # the REST API's maximum (WP_REST_Controller::get_collection_params)
TIMEOUT = 20.0  # seconds per REST call

# What Reshelf subscribes to on connect (issues 4 and 15): what the mirror needs.
TOPICS = (
    "order.created",
    "order.updated",
    "order.deleted",
    "product.created",
    "product.updated",
    "product.deleted",
    "product.restored",
    "customer.created",
    "customer.updated",
    "action.woocommerce_order_refunded",
    # The plugin's eraser (Tools › Erase Personal Data) fires this action; see privacy.py.
    "action.wc_reshelf_erase_personal_data",
)
ERASE_TOPIC = "action.wc_reshelf_erase_personal_data"
WEBHOOK_NAME = "Reshelf"

# The first WooCommerce whose product and variation controllers apply ``inventory_delta``
# (in prepare_object_for_database; no schema lists it, so OPTIONS cannot tell). It was in
# the 3.x code already (https://github.com/woocommerce/woocommerce-rest-api-docs/issues/156,
# 2019); 4.0 is the oldest release Reshelf counts on, and every restock is verified by
# reading the stock back.
INVENTORY_DELTA_SINCE = (4, 0)

# Core gateways whose supports('refunds') is false: refunds there are paid out by hand,
# and WooCommerce answers 500 if asked for an automatic one (wc_refund_payment()).
MANUAL_GATEWAYS = frozenset({"", "bacs", "cheque", "cod"})

# The plugin's order statuses (registered as wc-return-requested, ...), by return status.
# "returned" only once every unit of the order is back; until then "partly-returned"
# (money.order_status), which keeps the "Return an item" button for the other units.
RETURNED = "returned"
PARTLY_RETURNED = "partly-returned"
PLUGIN_STATUSES = {
    "requested": "return-requested",
    "needs_review": "return-requested",
    "approved": "return-approved",
    "received": RETURNED,
    "graded": RETURNED,
}

# Sync resources and their REST collections.
RESOURCES = {"orders": "orders", "products": "products", "customers": "customers"}
