"""Shopify: install, Admin GraphQL client, webhooks, mirror mapping, returns, sync."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from connectors.shopify.connector import ShopifyConnector
    from core.models import Shop


def connector_for(session: Session, shop: Shop) -> ShopifyConnector:
    """The connector of one Shopify shop, its token refreshed first if it expires soon.

    The refreshed token is committed before the caller's work starts: Shopify retires the
    old refresh token once the new access token is used, so a later rollback of that work
    must not take the new tokens with it.
    """
    from connectors.shopify.connector import ShopifyConnector
    from connectors.shopify.install import needs_refresh
    from core.clock import SystemClock

    connector = ShopifyConnector(shop)
    clock = SystemClock()
    if needs_refresh(shop, clock.now()) and connector.refresh_credentials(session, clock):
        session.commit()
    return connector
