"""Fill an emulated store quickly (demo, benchmarks): products and orders without HTTP."""

from __future__ import annotations

import itertools

from .catalog import new_product
from .ordering import new_order
from .store import Resource, Store

FIRST_NAMES = ("Ann", "Bo", "Chloé", "Dmitri", "Eun-ji", "Farid", "Grace", "Hiro")
COUNTRIES = ("FR", "DE", "US", "KR", "JP", "GB")


def seed_catalog(site: Store, count: int = 12, stock: int = 50) -> list[Resource]:
    """``count`` stock-managed simple products with tags and a category."""
    products = []
    for number in range(1, count + 1):
        with site.lock:
            products.append(
                new_product(
                    site,
                    {
                        "name": f"Linen shirt {number}",
                        "sku": f"LINEN-{number:03d}",
                        "regular_price": str(20 + number),
                        "manage_stock": True,
                        "stock_quantity": stock,
                        "tags": [{"name": "Summer"}],
                        "categories": [{"name": "Shirts"}],
                    },
                )
            )
    return products


def seed_orders(
    site: Store, products: list[Resource], count: int, status: str = "completed"
) -> list[Resource]:
    """``count`` paid orders by guests, cycling through products, names and countries."""
    orders = []
    cycle = itertools.cycle(
        zip(products, itertools.cycle(FIRST_NAMES), itertools.cycle(COUNTRIES), strict=False)
    )
    for number in range(count):
        product, name, country = next(cycle)
        email = f"{name.lower().replace('é', 'e')}.{number}@example.com"
        orders.append(
            new_order(
                site,
                {
                    "status": status,
                    "payment_method": "stripe",
                    "payment_method_title": "Card",
                    "billing": {"first_name": name, "email": email, "country": country},
                    "shipping": {"first_name": name, "country": country},
                    "line_items": [{"product_id": product["id"], "quantity": 1 + number % 2}],
                },
            )
        )
    return orders
