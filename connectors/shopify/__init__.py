"""Shopify: install, Admin GraphQL client, webhooks, mirror mapping, returns, sync."""

from __future__ import annotations

from sqlalchemy.orm import Session

from connectors.shopify.connector import ShopifyConnector
from core.models import Shop

__all__ = ["ShopifyConnector", "connector_for"]


def connector_for(session: Session, shop: Shop) -> ShopifyConnector:
    """The connector of one Shopify shop, its token refreshed first if it expires soon."""
    return ShopifyConnector.for_shop(session, shop)
