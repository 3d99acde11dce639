"""Everything WooCommerce: REST client, connect flow, webhooks, sync, restock and refunds."""

from connectors.woocommerce.connector import WooCommerceConnector, delivery_url

__all__ = ["WooCommerceConnector", "delivery_url"]
