"""A ready-made demo store in the emulator, for ``make run`` and manual trials.

Connect Reshelf to it as a custom app: ``reshelf shop add shopify --domain <domain>
--access-token <token> --api-secret <api_secret>`` with ``RESHELF_SHOPIFY_API_URL`` set to
the emulator's address; its webhooks are signed with that secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sandbox.shopify.seeding import Seeder
from sandbox.shopify.state import utcnow

CATALOGUE = (
    (
        "Linen shirt",
        "Tops",
        ("summer",),
        (("LINEN-S", "S"), ("LINEN-M", "M"), ("LINEN-L", "L")),
        "48.00",
    ),
    ("Wool beanie", "Accessories", ("winter",), (("BEANIE", "Default Title"),), "22.00"),
    ("Clearance scarf", "Accessories", ("final-sale",), (("SCARF", "Default Title"),), "12.00"),
)


@dataclass(frozen=True)
class DemoStore:
    """What Reshelf needs to connect to the demo store."""

    domain: str
    access_token: str
    api_secret: str
    shopper_email: str


def seed_demo_store(
    seeder: Seeder, name: str = "reshelf-demo", token: str = "shpat_demo"
) -> DemoStore:
    """Open a store with a catalogue, a shopper and three delivered orders."""
    shop = seeder.shop(name)
    seeder.static_token(shop, token)
    variants = {}
    for title, product_type, tags, options, price in CATALOGUE:
        specs = [
            {"sku": sku, "title": option, "price": price, "stock": 25} for sku, option in options
        ]
        for variant in seeder.product(shop, title, specs, product_type=product_type, tags=tags):
            variants[variant.sku] = variant
    shopper = seeder.customer(shop, "sam@example.com", "Sam", "Rivera")
    baskets = ((("LINEN-M", 2), ("BEANIE", 1)), (("SCARF", 1), ("LINEN-L", 1)), (("BEANIE", 2),))
    for days_ago, basket in zip((20, 8, 2), baskets, strict=True):
        lines = [(variants[sku], quantity) for sku, quantity in basket]
        seeder.order(shop, shopper, lines, created_at=utcnow() - timedelta(days=days_ago))
    secret = seeder.emulator.app.client_secret
    return DemoStore(shop.domain, token, secret, shopper.email)
