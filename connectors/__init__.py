"""Store platform connectors; ``connector_for`` picks the shop's platform."""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.shopify.consts import COMPLIANCE_TOPICS
from connectors.woocommerce.consts import ERASE_TOPIC
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


# Deliveries that must be applied whatever the shop's state: a privacy request (Shopify's
# shop/redact comes 48 hours after uninstall) needs no store call and must not wait for a
# reconnect that may never come.
PRIVACY_TOPICS: dict[Platform, frozenset[str]] = {
    Platform.SHOPIFY: frozenset(COMPLIANCE_TOPICS),
    Platform.WOOCOMMERCE: frozenset({ERASE_TOPIC}),
}
