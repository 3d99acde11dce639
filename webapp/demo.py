"""A demo shop with a published policy, stock and orders, so the portal and admin have work.

Seeding is idempotent: a second run finds the shop and changes nothing, so ``make run``
can call it every time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import Clock
from core.enums import Platform, Role
from core.models import Customer, InventoryLevel, Location, Order, OrderLine, Shop, Variant
from core.services import ensure_default_policy
from webapp.users import add_user

DEMO_DOMAIN = "reshelf-demo.myshopify.com"
DEMO_ADMIN = "admin@demo.reshelf.test"
DEMO_SHOPPER = "shopper@example.com"
# (sku, title, price, final sale)
CATALOGUE = [
    ("SHIRT-M", "Linen shirt, M", "48.00", False),
    ("SOCKS", "Wool socks", "14.00", False),
    ("TOTE", "Canvas tote", "30.00", False),
    ("SCARF", "Clearance scarf", "15.00", True),
]
# (order number, days since delivery, [(sku, quantity)])
ORDERS = [
    ("1001", 5, [("SHIRT-M", 2), ("SOCKS", 1)]),
    ("1002", 12, [("TOTE", 1), ("SCARF", 1)]),
    ("1003", 45, [("SHIRT-M", 1)]),
]


@dataclass(frozen=True)
class Demo:
    """What ``seed_demo`` made or found, and how to sign in."""

    shop: Shop
    admin_email: str
    admin_password: str


def seed_demo(session: Session, clock: Clock, secret_key: str) -> Demo:
    """Create the demo shop, its admin, catalogue and orders unless they already exist."""
    password = demo_password(secret_key)
    shop = session.scalars(
        select(Shop).where(Shop.platform == Platform.SHOPIFY, Shop.domain == DEMO_DOMAIN)
    ).one_or_none()
    if shop is None:
        shop = _seed_shop(session, clock)
    add_user(session, DEMO_ADMIN, password, shop, Role.OWNER)
    return Demo(shop, DEMO_ADMIN, password)


def _seed_shop(session: Session, clock: Clock) -> Shop:
    """Create the shop with its location, catalogue, customer, orders and policy; commits."""
    now = clock.now()
    shop = Shop(
        platform=Platform.SHOPIFY, domain=DEMO_DOMAIN, name="Reshelf Demo Store", installed_at=now
    )
    session.add(shop)
    session.flush()
    location = Location(shop_id=shop.id, platform_id="demo-1", name="Warehouse", is_default=True)
    prices = {sku: Decimal(price) for sku, _, price, _ in CATALOGUE}
    spent = sum((prices[sku] * n for _, _, items in ORDERS for sku, n in items), Decimal(0))
    customer = Customer(
        shop_id=shop.id, platform_id="demo-c1", email=DEMO_SHOPPER, first_name="Sam",
        orders_count=len(ORDERS), total_spent=spent, currency="USD", country="US",
    )  # fmt: skip
    session.add_all([location, customer])
    variants: dict[str, tuple[Variant, bool]] = {}
    for sku, title, list_price, final_sale in CATALOGUE:
        variant = Variant(
            shop_id=shop.id, platform_id=f"demo-{sku}", sku=sku, title=title,
            product_title=title, price=Decimal(list_price), currency="USD",
        )  # fmt: skip
        session.add(variant)
        session.flush()
        level = InventoryLevel(shop_id=shop.id, variant=variant, location=location, available=5)
        session.add(level)
        variants[sku] = (variant, final_sale)
    for number, days, items in ORDERS:
        delivered = now - timedelta(days=days)
        order = Order(
            shop_id=shop.id, platform_id=f"demo-o{number}", number=number, name=f"#{number}",
            email=DEMO_SHOPPER, customer=customer, currency="USD", shipping_country="US",
            ordered_at=delivered - timedelta(days=3), fulfilled_at=delivered - timedelta(days=2),
            delivered_at=delivered, financial_status="paid", fulfillment_status="fulfilled",
        )  # fmt: skip
        for sku, quantity in items:
            variant, final_sale = variants[sku]
            price = variant.price or Decimal(0)
            order.lines.append(
                OrderLine(
                    shop_id=shop.id,
                    platform_id=f"demo-{number}-{sku}",
                    variant_id=variant.id,
                    sku=sku,
                    title=variant.title,
                    quantity=quantity,
                    fulfilled_quantity=quantity,
                    unit_price=price,
                    discounted_unit_price=price,
                    currency="USD",
                    final_sale=final_sale,
                )  # fmt: skip
            )
        session.add(order)
    ensure_default_policy(session, shop.id, clock)
    session.commit()
    return shop


def demo_password(secret_key: str) -> str:
    """The demo admin's password, derived from the instance's secret: stable, and its own."""
    digest = hmac.new(secret_key.encode(), b"reshelf demo admin", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()
