"""Build shops, catalogues and orders for tests with as little ceremony as possible."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core.clock import FrozenClock
from core.enums import Platform
from core.models import Customer, Location, Order, OrderLine, Shop, Variant


class Factory:
    """Creates rows in the test session and flushes so they have ids."""

    def __init__(self, session: Session, clock: FrozenClock) -> None:
        self.session = session
        self.clock = clock
        self._seq = 1000

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def shop(self, platform: Platform = Platform.SHOPIFY, **kw: Any) -> Shop:
        n = self._next()
        shop = Shop(platform=platform, domain=kw.pop("domain", f"shop-{n}.myshopify.com"), **kw)
        self.session.add(shop)
        self.session.flush()
        self.session.add(
            Location(shop_id=shop.id, platform_id="loc-1", name="Main", is_default=True)
        )
        self.session.flush()
        return shop

    def variant(self, shop: Shop, **kw: Any) -> Variant:
        n = self._next()
        defaults: dict[str, Any] = dict(
            platform_id=f"v{n}", sku=f"SKU-{n}", title=f"Variant {n}", price=Decimal("20.00")
        )
        variant = Variant(shop_id=shop.id, **{**defaults, **kw})
        self.session.add(variant)
        self.session.flush()
        return variant

    def customer(self, shop: Shop, **kw: Any) -> Customer:
        n = self._next()
        customer = Customer(shop_id=shop.id, platform_id=f"c{n}", email=f"c{n}@example.com", **kw)
        self.session.add(customer)
        self.session.flush()
        return customer

    def order(
        self,
        shop: Shop,
        lines: list[tuple[Variant | None, int, Decimal]] | None = None,
        *,
        days_ago: int = 5,
        **kw: Any,
    ) -> Order:
        """An order of ``(variant, quantity, unit price)`` lines, delivered ``days_ago``."""
        n = self._next()
        when = self.clock.now() - timedelta(days=days_ago)
        order = Order(
            shop_id=shop.id,
            platform_id=f"o{n}",
            number=kw.pop("number", str(n)),
            name=f"#{n}",
            email=kw.pop("email", "shopper@example.com"),
            currency="USD",
            ordered_at=when - timedelta(days=2),
            fulfilled_at=when - timedelta(days=1),
            delivered_at=when,
            **kw,
        )
        for variant, quantity, price in lines or [(self.variant(shop), 1, Decimal("20.00"))]:
            order.lines.append(
                OrderLine(
                    shop_id=shop.id,
                    platform_id=f"li{self._next()}",
                    variant_id=variant.id if variant else None,
                    sku=variant.sku if variant else None,
                    title=variant.title if variant else "Custom item",
                    quantity=quantity,
                    unit_price=price,
                    discounted_unit_price=price,
                    currency="USD",
                )
            )
        self.session.add(order)
        self.session.flush()
        return order
