"""The backfill job: read a newly connected shop whole, whatever its platform.

The install flows (Shopify's app home, WooCommerce's connect) only record the shop and
dispatch ``("backfill", shop id)``; the web request never waits on the store. Each
platform's connector class names the resources in the order they depend on each other.
"""

from __future__ import annotations

import logging

from connectors import connector_class
from core.models import Shop
from worker.context import get_context

log = logging.getLogger(__name__)


def backfill_job(shop_id: int) -> None:
    """Read the whole shop (catalogue, customers, orders, stock) through its connector."""
    context = get_context()
    with context.session() as session:
        shop = session.get(Shop, shop_id)
        if shop is None:
            log.info("shop %s is gone; nothing to backfill", shop_id)
            return
        connector = context.connector_for(session, shop)
        for resource in connector_class(shop.platform).backfill_resources:
            connector.sync(session, resource, full=True, clock=context.clock)
