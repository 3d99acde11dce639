"""The emulator's in-memory store: shops and the records Reshelf reads and writes.

Records are plain dataclasses keyed by numeric id; the GraphQL layer turns them into
``gid://shopify/<Type>/<id>`` global ids (https://shopify.dev/docs/api/usage/gids).
One ``threading.RLock`` per shop serialises everything that touches that shop.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sandbox.shopify.cost import LeakyBucket

_ids = itertools.count(1001)
_ids_lock = threading.Lock()


def next_id() -> int:
    """Return a process-wide unique numeric id (Shopify ids are unique across types)."""
    with _ids_lock:
        return next(_ids)


def utcnow() -> datetime:
    """Return the current time, timezone-aware."""
    return datetime.now(UTC)


@dataclass
class Location:
    id: int
    name: str


@dataclass
class Product:
    id: int
    title: str
    product_type: str = ""
    vendor: str = ""
    tags: list[str] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)  # collection handles
    updated_at: datetime = field(default_factory=utcnow)


@dataclass
class Variant:
    id: int
    product_id: int
    title: str
    sku: str
    price: Decimal
    inventory_item_id: int
    updated_at: datetime = field(default_factory=utcnow)


@dataclass
class Customer:
    id: int
    email: str
    first_name: str = ""
    last_name: str = ""
    phone: str | None = None
    tags: list[str] = field(default_factory=list)
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)


@dataclass
class LineItem:
    id: int
    variant_id: int | None
    title: str
    sku: str
    quantity: int
    price: Decimal
    discount: Decimal = Decimal("0")


@dataclass
class FulfillmentLineItem:
    id: int
    line_item_id: int
    quantity: int


@dataclass
class Fulfillment:
    id: int
    location_id: int
    lines: list[FulfillmentLineItem]
    created_at: datetime = field(default_factory=utcnow)
    delivered_at: datetime | None = None
    status: str = "SUCCESS"


@dataclass
class Refund:
    id: int
    amount: Decimal
    note: str
    lines: list[tuple[int, int]]  # (line item id, quantity)
    return_id: int | None = None
    store_credit: bool = False
    created_at: datetime = field(default_factory=utcnow)


@dataclass
class Order:
    id: int
    name: str
    email: str
    customer_id: int | None
    currency: str
    line_items: list[LineItem]
    shipping_country: str | None = None
    tags: list[str] = field(default_factory=list)
    note: str = ""
    fulfillments: list[Fulfillment] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    cancelled_at: datetime | None = None
    financial_status: str = "PAID"

    def total(self) -> Decimal:
        """What the customer paid for the lines, after discounts."""
        return sum((li.price * li.quantity - li.discount for li in self.line_items), Decimal())


@dataclass
class ReturnLineItem:
    id: int
    fulfillment_line_item_id: int
    quantity: int
    reason_definition_id: int | None = None
    customer_note: str = ""
    processed_quantity: int = 0


@dataclass
class Disposition:
    type: str
    quantity: int
    location_id: int | None


@dataclass
class ReverseFulfillmentOrderLineItem:
    id: int
    fulfillment_line_item_id: int
    total_quantity: int
    dispositions: list[Disposition] = field(default_factory=list)

    def disposed_quantity(self) -> int:
        """Units already given a disposition."""
        return sum(d.quantity for d in self.dispositions)


@dataclass
class ReverseFulfillmentOrder:
    id: int
    lines: list[ReverseFulfillmentOrderLineItem]
    status: str = "OPEN"


@dataclass
class Return:
    id: int
    order_id: int
    name: str
    status: str  # REQUESTED, OPEN, DECLINED, CLOSED, CANCELED
    lines: list[ReturnLineItem]
    reverse_fulfillment_orders: list[ReverseFulfillmentOrder] = field(default_factory=list)
    decline_reason: str | None = None
    decline_note: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    closed_at: datetime | None = None


@dataclass
class BulkOperation:
    id: int
    query: str
    status: str = "CREATED"
    object_count: int = 0
    url: str | None = None
    error_code: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    completed_at: datetime | None = None


@dataclass
class AccessToken:
    token: str
    expires_at: datetime | None  # None: a custom app's token that never expires
    scope: str
    refresh_token: str | None = None
    refresh_expires_at: datetime | None = None


@dataclass
class Shop:
    """One store: its catalogue, customers, orders and returns, and its rate-limit bucket."""

    name: str  # the handle in NAME.myshopify.com
    plan: str
    bucket: LeakyBucket
    currency: str = "USD"
    id: int = field(default_factory=next_id)
    installed: bool = True
    lock: threading.RLock = field(default_factory=threading.RLock)
    locations: dict[int, Location] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    variants: dict[int, Variant] = field(default_factory=dict)
    # (inventory item id, location id) -> {quantity name: quantity}
    inventory: dict[tuple[int, int], dict[str, int]] = field(default_factory=dict)
    customers: dict[int, Customer] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    returns: dict[int, Return] = field(default_factory=dict)
    bulk_operations: dict[int, BulkOperation] = field(default_factory=dict)
    tokens: dict[str, AccessToken] = field(default_factory=dict)
    # "<mutation>:<@idempotent key>" -> (arguments fingerprint, the response replayed)
    idempotent_results: dict[str, tuple[str, Any]] = field(default_factory=dict)
    order_numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1001))

    @property
    def domain(self) -> str:
        """The shop's permanent domain."""
        return f"{self.name}.myshopify.com"

    def variant_by_inventory_item(self, inventory_item_id: int) -> Variant | None:
        """The variant whose stock the inventory item tracks."""
        for variant in self.variants.values():
            if variant.inventory_item_id == inventory_item_id:
                return variant
        return None

    def fulfillment_line(self, fli_id: int) -> tuple[Order, FulfillmentLineItem] | None:
        """Find a fulfillment line item and its order."""
        for order in self.orders.values():
            for fulfillment in order.fulfillments:
                for line in fulfillment.lines:
                    if line.id == fli_id:
                        return order, line
        return None
