"""The platform registry: both platforms listed, an unknown one refused, constants on the class."""

from __future__ import annotations

import pytest

import connectors
from connectors.shopify.connector import ShopifyConnector
from connectors.woocommerce.connector import WooCommerceConnector
from core.models import Shop


def test_both_platforms_are_registered_by_name():
    assert connectors.CONNECTORS == {
        "shopify": ShopifyConnector,
        "woocommerce": WooCommerceConnector,
    }


def test_an_unknown_platform_raises_instead_of_being_taken_for_woocommerce():
    shop = Shop(platform="shopify", domain="x.myshopify.com")
    shop.platform = "magento"
    with pytest.raises(connectors.UnknownPlatform, match="magento"):
        connectors.connector_for(None, shop)  # type: ignore[arg-type]
    with pytest.raises(connectors.UnknownPlatform):
        connectors.PRIVACY_TOPICS["magento"]


def test_what_the_dispatcher_and_sweeper_need_is_read_from_the_class():
    assert connectors.connector_class("shopify").max_concurrency == 2
    assert connectors.connector_class("woocommerce").max_concurrency == 4
    assert "shop/redact" in connectors.PRIVACY_TOPICS["shopify"]
    assert set(connectors.PRIVACY_TOPICS) == {"shopify", "woocommerce"}
