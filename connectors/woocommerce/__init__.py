"""Everything WooCommerce: REST client, connect flow, webhooks, sync, restock and refunds."""

from __future__ import annotations

from sqlalchemy.orm import Session

from connectors.woocommerce.connector import WooCommerceConnector
from connectors.woocommerce.webhooks import delivery_url
from core.models import Shop

__all__ = ["WooCommerceConnector", "connector_for", "delivery_url"]


def connector_for(session: Session, shop: Shop) -> WooCommerceConnector:
    """The connector for a WooCommerce shop (``connectors.connector_for`` calls this)."""
    return WooCommerceConnector.for_shop(session, shop)
