"""A ready-made demo store: a catalogue, guests' orders, and a signed-up shopper's orders."""

from __future__ import annotations

from .ordering import new_order
from .seed import seed_catalog, seed_orders
from .store import Resource, Store

SHOPPER = {"email": "kim@example.com", "first_name": "Kim", "last_name": "Lee", "country": "FR"}
# Product positions in the catalogue, and quantities, of each of the shopper's orders.
BASKETS = (((0, 2), (1, 1)), ((2, 1),), ((3, 1), (0, 1)))


def seed_demo_store(site: Store) -> str:
    """Fill ``site``; return the email of the shopper whose account has orders."""
    products = seed_catalog(site, count=6, stock=25)
    seed_orders(site, products, count=4)
    with site.lock:
        customer: Resource = {
            "id": site.next_post_id(),
            "email": SHOPPER["email"],
            "username": "kim",
            "first_name": SHOPPER["first_name"],
            "last_name": SHOPPER["last_name"],
            "role": "customer",
            "billing": dict(SHOPPER),
            "shipping": {},
            "meta_data": [],
            "is_paying_customer": True,
        }
        site.stamp(customer, "date_created", "date_modified")
        site.customers[customer["id"]] = customer
    site.emit("customer", "created", customer["id"])
    for basket in BASKETS:
        new_order(
            site,
            {
                "status": "completed",
                "customer_id": customer["id"],
                "payment_method": "stripe",
                "payment_method_title": "Card",
                "billing": dict(SHOPPER),
                "shipping": {"country": SHOPPER["country"]},
                "line_items": [
                    {"product_id": products[index]["id"], "quantity": quantity}
                    for index, quantity in basket
                ],
            },
        )
    return SHOPPER["email"]
