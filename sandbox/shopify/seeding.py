"""Seed an emulator with shops, catalogue, customers, orders, fulfilments and returns.

Records created here send the webhooks Shopify would send for them (``orders/create``,
``orders/fulfilled``, ``customers/create``, ``returns/request``, ``app/uninstalled``...),
https://shopify.dev/docs/api/webhooks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.shopify import state as st
from sandbox.shopify import tokens
from sandbox.shopify.connections import gid
from sandbox.shopify.emulator import Emulator
from sandbox.shopify.graphql_api import Context
from sandbox.shopify.inventory import adjust
from sandbox.shopify.payloads import customer_payload, order_payload, shop_payload
from sandbox.shopify.returns import return_request


class Seeder:
    """Helpers that put records into an emulator, as a test or the demo needs them."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def shop(self, name: str, plan: str = "standard", currency: str = "USD") -> st.Shop:
        """Open a shop with one location, "Warehouse"."""
        shop = self.emulator.create_shop(name, plan, currency)
        self.location(shop, "Warehouse")
        return shop

    def location(self, shop: st.Shop, name: str) -> st.Location:
        """Add a location."""
        location = st.Location(st.next_id(), name)
        shop.locations[location.id] = location
        return location

    def product(
        self,
        shop: st.Shop,
        title: str,
        variants: Sequence[dict[str, Any]],
        product_type: str = "",
        tags: Sequence[str] = (),
        collections: Sequence[str] = (),
    ) -> list[st.Variant]:
        """Add a product; each variant dict has ``title``, ``sku``, ``price``, ``stock``."""
        with shop.lock:
            product = st.Product(
                st.next_id(), title, product_type, tags=list(tags), collections=list(collections)
            )
            shop.products[product.id] = product
            created = []
            for spec in variants:
                variant = st.Variant(
                    st.next_id(),
                    product.id,
                    spec.get("title", "Default Title"),
                    spec.get("sku", ""),
                    Decimal(str(spec.get("price", "10.00"))),
                    st.next_id(),
                )
                shop.variants[variant.id] = variant
                for location_id in shop.locations:
                    shop.inventory[(variant.inventory_item_id, location_id)] = {
                        "available": 0,
                        "on_hand": 0,
                    }
                first_location = next(iter(shop.locations))
                adjust(
                    shop,
                    variant.inventory_item_id,
                    first_location,
                    "available",
                    int(spec.get("stock", 0)),
                )
                created.append(variant)
            return created

    def customer(
        self,
        shop: st.Shop,
        email: str,
        first_name: str = "",
        last_name: str = "",
        tags: Sequence[str] = (),
    ) -> st.Customer:
        """Add a customer."""
        customer = st.Customer(st.next_id(), email, first_name, last_name, tags=list(tags))
        with shop.lock:
            shop.customers[customer.id] = customer
        self.emulator.emit(shop, "customers/create", customer_payload(customer))
        return customer

    def order(
        self,
        shop: st.Shop,
        customer: st.Customer | None,
        lines: Sequence[tuple[st.Variant, int]],
        shipping_country: str | None = "US",
        fulfil: bool = True,
        created_at: datetime | None = None,
        tags: Sequence[str] = (),
    ) -> st.Order:
        """Place an order (and fulfil it from the first location unless ``fulfil`` is False)."""
        with shop.lock:
            items = [
                st.LineItem(
                    st.next_id(), v.id, shop.products[v.product_id].title, v.sku, qty, v.price
                )
                for v, qty in lines
            ]
            order = st.Order(
                id=st.next_id(),
                name=f"#{next(shop.order_numbers)}",
                email=customer.email if customer else "",
                customer_id=customer.id if customer else None,
                currency=shop.currency,
                line_items=items,
                shipping_country=shipping_country,
                tags=list(tags),
            )
            if created_at is not None:
                order.created_at = order.updated_at = created_at
            shop.orders[order.id] = order
        self.emulator.emit(shop, "orders/create", order_payload(shop, order))
        if fulfil:
            self.fulfil(shop, order)
        return order

    def fulfil(
        self, shop: st.Shop, order: st.Order, location: st.Location | None = None
    ) -> st.Fulfillment:
        """Fulfil every line of ``order``: stock leaves the location."""
        with shop.lock:
            location_id = location.id if location else next(iter(shop.locations))
            lines = [
                st.FulfillmentLineItem(st.next_id(), li.id, li.quantity) for li in order.line_items
            ]
            fulfillment = st.Fulfillment(st.next_id(), location_id, lines, delivered_at=st.utcnow())
            order.fulfillments.append(fulfillment)
            for li in order.line_items:
                if li.variant_id:
                    adjust(
                        shop,
                        shop.variants[li.variant_id].inventory_item_id,
                        location_id,
                        "available",
                        -li.quantity,
                    )
            order.updated_at = st.utcnow()
        self.emulator.emit(shop, "orders/fulfilled", order_payload(shop, order))
        self.emulator.emit(shop, "orders/updated", order_payload(shop, order))
        return fulfillment

    def request_return(
        self, shop: st.Shop, order: st.Order, quantities: dict[int, int], reason_id: int = 7
    ) -> st.Return:
        """A shopper asks Shopify for a return (quantity by line item id): ``returns/request``."""
        flis = {fli.line_item_id: fli for f in order.fulfillments for fli in f.lines}
        data = {
            "orderId": gid("Order", order.id),
            "returnLineItems": [
                {
                    "fulfillmentLineItemId": gid("FulfillmentLineItem", flis[line_id].id),
                    "quantity": qty,
                    "returnReasonDefinitionId": gid("ReturnReasonDefinition", reason_id),
                }
                for line_id, qty in quantities.items()
            ],
        }
        with shop.lock:
            return_request(Context(shop, self.emulator, ""), {"input": data})
            return max(
                (r for r in shop.returns.values() if r.order_id == order.id), key=lambda r: r.id
            )

    def static_token(self, shop: st.Shop, token: str, scope: str | None = None) -> None:
        """Register a custom app's admin API token, which never expires."""
        shop.tokens[token] = st.AccessToken(token, None, scope or self.emulator.app.scopes)

    def id_token(self, shop: st.Shop) -> str:
        """The session token App Bridge would hand the embedded app."""
        return tokens.id_token(shop, self.emulator.app.client_id, self.emulator.app.client_secret)

    def uninstall(self, shop: st.Shop) -> None:
        """The merchant uninstalls the app: tokens die, ``app/uninstalled`` is sent."""
        self.emulator.emit(shop, "app/uninstalled", shop_payload(shop))
        with shop.lock:
            shop.installed = False
            shop.tokens.clear()

    def stock(
        self,
        shop: st.Shop,
        variant: st.Variant,
        location: st.Location | None = None,
        name: str = "available",
    ) -> int:
        """A variant's quantity at a location (the first one by default)."""
        location_id = location.id if location else next(iter(shop.locations))
        return shop.inventory.get((variant.inventory_item_id, location_id), {}).get(name, 0)

    def update_order(self, shop: st.Shop, order: st.Order, **changes: Any) -> None:
        """Change an order (tags, note, email...) as the merchant would: ``orders/updated``."""
        with shop.lock:
            for name, value in changes.items():
                setattr(order, name, value)
            order.updated_at = st.utcnow()
        self.emulator.emit(shop, "orders/updated", order_payload(shop, order))

    def cancel_order(self, shop: st.Shop, order: st.Order) -> None:
        """Cancel an order: ``orders/cancelled`` then ``orders/updated``."""
        with shop.lock:
            order.cancelled_at = order.updated_at = st.utcnow()
        self.emulator.emit(shop, "orders/cancelled", order_payload(shop, order))
        self.emulator.emit(shop, "orders/updated", order_payload(shop, order))

    def compliance(self, shop: st.Shop, topic: str, customer: st.Customer | None = None) -> None:
        """Send a privacy webhook (customers/data_request, customers/redact, shop/redact)."""
        body: dict[str, Any] = {"shop_id": shop.id, "shop_domain": shop.domain}
        if customer is not None:
            orders = [o.id for o in shop.orders.values() if o.customer_id == customer.id]
            person = {"id": customer.id, "email": customer.email, "phone": customer.phone}
            key = "orders_requested" if topic == "customers/data_request" else "orders_to_redact"
            body.update(customer=person, **{key: orders})
            if topic == "customers/data_request":
                body["data_request"] = {"id": st.next_id()}
        self.emulator.emit(shop, topic, body)
