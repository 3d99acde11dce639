"""Reshelf's side of the demo: a shop connected to each emulated store, and its admin.

The stores start afresh on every ``reshelf demo`` (the emulators keep nothing on disk), so
Reshelf's demo shops are re-created from them each time: the old shop row and what hung
from it (mirror, returns, ledger) go, since the returns and restocks it recorded no longer
exist on the stores and their jobs would fail. The shop keys (portal addresses) and the
admin's password stay the same from one run to the next.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.shopify import connector_for as shopify_connector
from connectors.shopify.client import routed_client
from connectors.shopify.connector import SYNC_ORDER
from connectors.shopify.install import add_custom_app
from connectors.woocommerce import install as woo_install
from core.clock import Clock
from core.enums import Platform, Role
from core.models import Shop
from core.services import ensure_default_policy
from sandbox.shopify.demo import DemoStore
from webapp.users import add_user

DEMO_ADMIN = "admin@demo.reshelf.test"


def replace_demo_shop(session: Session, platform: Platform, domain: str, name: str) -> Shop:
    """A new, empty demo shop for this store, with the public key of the one it replaces."""
    shops = session.scalars(select(Shop).where(Shop.platform == platform)).all()
    # Earlier demo shops (the stores' ports may have changed), and any shop of this store.
    old = [s for s in shops if (s.settings or {}).get("demo") or s.domain == domain]
    key = old[0].key if old else None
    for shop in old:
        session.delete(shop)
    session.flush()
    shop = Shop(platform=platform, domain=domain, name=name, settings={"demo": True})
    if key is not None:
        shop.key = key
    session.add(shop)
    session.flush()
    return shop


def connect_shopify(session: Session, store: DemoStore, clock: Clock) -> Shop:
    """Connect the emulated Shopify store as a custom app and backfill it; commits."""
    replace_demo_shop(session, Platform.SHOPIFY, store.domain, store.domain)
    # The custom app's token and secret; RESHELF_SHOPIFY_API_URL routes its calls.
    shop = add_custom_app(
        session,
        store.domain,
        store.access_token,
        store.api_secret,
        clock,
        routed_client(os.environ),
    )
    session.commit()
    ensure_default_policy(session, shop.id, clock)
    session.commit()
    connector = shopify_connector(session, shop)
    for resource in SYNC_ORDER:
        connector.sync(session, resource, full=True, clock=clock)
    session.commit()
    return shop


def connect_woocommerce(
    session: Session, store_url: str, keys: tuple[str, str], public_url: str, clock: Clock
) -> Shop:
    """Connect the emulated WooCommerce store with its keys, subscribe webhooks, backfill."""
    replace_demo_shop(session, Platform.WOOCOMMERCE, store_url, "WooCommerce demo store")
    shop = woo_install.save_shop(session, store_url, keys[0], keys[1], clock)
    ensure_default_policy(session, shop.id, clock)
    session.commit()
    woo_install.subscribe(shop, public_url)
    woo_install.backfill(session, shop, clock)
    session.commit()
    return shop


def add_demo_admin(session: Session, shops: list[Shop], secret_key: str) -> tuple[str, str]:
    """The demo admin, owner of every demo shop, marked demo; returns (email, password).

    Its password is printed for anyone at the terminal, so it signs in only to the app
    ``reshelf demo`` builds (``DEMO`` in its config), never to ``reshelf serve``.
    """
    password = demo_password(secret_key)
    for shop in shops:
        add_user(session, DEMO_ADMIN, password, shop, Role.OWNER).is_demo = True
    session.commit()
    return DEMO_ADMIN, password


def demo_password(secret_key: str) -> str:
    """The demo admin's password, derived from the instance's secret: stable, and its own."""
    digest = hmac.new(secret_key.encode(), b"reshelf demo admin", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()
