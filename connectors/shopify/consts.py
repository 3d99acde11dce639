"""Shopify constants: the one pinned Admin API version and the webhook topics Reshelf handles."""

from __future__ import annotations

# The Admin API version every request and every webhook subscription uses. Change it here
# only, after validating connectors/shopify/graphql/*.graphql against the new schema.
API_VERSION = "2026-04"

# https://shopify.dev/docs/apps/build/webhooks/subscribe (topics subscribed in the toml)
ORDER_TOPICS = ("orders/create", "orders/updated", "orders/cancelled", "orders/fulfilled")
RETURN_TOPICS = (
    "returns/request",
    "returns/approve",
    "returns/decline",
    "returns/cancel",
    "returns/close",
    "returns/reopen",
    "returns/process",
    "reverse_fulfillment_orders/dispose",
)
CUSTOMER_TOPICS = ("customers/create", "customers/update", "customers/delete")
APP_TOPICS = ("app/uninstalled", "app/scopes_update", "bulk_operations/finish")
OTHER_TOPICS = ("refunds/create", "inventory_levels/update")
# Mandatory privacy webhooks: https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance
COMPLIANCE_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")
SUBSCRIBED_TOPICS = ORDER_TOPICS + RETURN_TOPICS + CUSTOMER_TOPICS + APP_TOPICS + OTHER_TOPICS

# Shopify webhooks bodies are small; anything bigger is not from Shopify.
MAX_WEBHOOK_BYTES = 2 * 1024 * 1024
# Orders per page of the paginated backfill: about 75 points each, under the 1,000 cap.
ORDERS_PAGE_SIZE = 10
PAGE_SIZE = 100
VARIANTS_PAGE_SIZE = 50  # each variant carries its product's collections
# Tag and note prefix written on orders Reshelf acted on.
ORDER_TAG = "reshelf-return"
