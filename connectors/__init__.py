"""Store platform connectors; ``connector_for`` picks the shop's platform."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.enums import Platform

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from core.models import Shop
    from core.ports import StoreConnector


def connector_for(session: Session, shop: Shop) -> StoreConnector:
    """The connector of the shop's platform."""
    if shop.platform == Platform.SHOPIFY:
        from connectors.shopify import connector_for as shopify_connector

        return shopify_connector(session, shop)
    from connectors.woocommerce import connector_for as woocommerce_connector

    connector: StoreConnector = woocommerce_connector(session, shop)
    return connector
