"""Store platform connectors, one folder each, found through the ``CONNECTORS`` registry.

``CONNECTORS`` maps a platform name (the value of ``Shop.platform``) to its connector
class. Everything a caller needs before it has a shop's connector (``max_concurrency``,
``privacy_topics``, the webhook intake, the command line) is an attribute of the class, so
nobody builds a connector (an HTTP client, maybe a token refresh) just to read a constant.
A platform that is not registered raises ``UnknownPlatform``; it is never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from connectors.shopify.connector import ShopifyConnector
from connectors.woocommerce.connector import WooCommerceConnector

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from core.models import Shop
    from core.ports import ConnectorClass, StoreConnector


class UnknownPlatform(LookupError):
    """A shop or a URL names a platform no connector is registered for."""


CONNECTORS: dict[str, ConnectorClass] = {
    str(ShopifyConnector.platform): ShopifyConnector,
    str(WooCommerceConnector.platform): WooCommerceConnector,
}


def register(connector: ConnectorClass) -> ConnectorClass:
    """Add a platform's connector class under its ``platform`` name (a test's fake platform)."""
    CONNECTORS[str(connector.platform)] = connector
    return connector


def connector_class(platform: str) -> ConnectorClass:
    """The connector class of a platform; ``UnknownPlatform`` if none is registered."""
    try:
        return CONNECTORS[str(platform)]
    except KeyError:
        raise UnknownPlatform(f"no connector is registered for platform {platform!r}") from None


def connector_for(session: Session, shop: Shop) -> StoreConnector:
    """The connector of the shop's platform, ready to call the store."""
    return connector_class(shop.platform).for_shop(session, shop)


class _PrivacyTopics(Mapping[str, frozenset[str]]):
    """Each registered platform's privacy topics, read from its class when asked."""

    def __getitem__(self, platform: str) -> frozenset[str]:
        return connector_class(platform).privacy_topics

    def __iter__(self) -> Iterator[str]:
        return iter(CONNECTORS)

    def __len__(self) -> int:
        return len(CONNECTORS)


# Deliveries that must be applied whatever the shop's state: a privacy request (Shopify's
# shop/redact comes 48 hours after uninstall) needs no store call and must not wait for a
# reconnect that may never come.
PRIVACY_TOPICS: Mapping[str, frozenset[str]] = _PrivacyTopics()
