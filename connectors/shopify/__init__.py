"""Shopify: install, Admin GraphQL client, webhooks, mirror mapping, returns, sync."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from connectors.shopify.connector import ShopifyConnector
    from core.models import Shop


def connector_for(session: Session, shop: Shop) -> ShopifyConnector:
    """The connector of one Shopify shop."""
    from connectors.shopify.connector import ShopifyConnector

    return ShopifyConnector(shop)
