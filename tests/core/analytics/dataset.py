"""A small shop whose every analytics figure can be worked out by hand.

Period under test: 1–15 June 2026 (``PERIOD``); the one before: 18 May – 1 June.

Catalogue: a tee (product P-TEE) in S and M at 20.00, collections tops + sale; a jacket
(P-JKT) at 120.00 in outerwear; gift wrap at 5.00 sold as a line with no variant.
Customers: Ann (tag VIP, first ordered 10 May) and Bob (first order in June); guests.

| order | who   | placed    | delivered | to | lines                      |
|-------|-------|-----------|-----------|----|----------------------------|
| O0    | Ann   | 10 May    | 12 May    | US | tee M ×2                   |
| O5    | guest | 20 May    | 22 May    | US | tee S ×4                   |
| O1    | Ann   | 2 June    | 4 June    | US | tee S ×2, jacket ×1        |
| O2    | Bob   | 3 June    | 5 June    | CA | tee M ×1, gift wrap ×1     |
| O3    | guest | 5 June    | 7 June    | DE | tee S ×3                   |
| O4    | Ann   | 6 June    | —         | US | jacket ×1 (cancelled)      |

| return | order | requested | channel | status   | lines (reason, resolution)                    |
|--------|-------|-----------|---------|----------|-----------------------------------------------|
| R6     | O5    | 25 May    | portal  | closed   | tee S ×1 (too_small, refund); refund 20 paid  |
| R4     | O5    | 3 June    | portal  | received | tee S ×1 (too_big, refund)                    |
| R1     | O1    | 6 June    | portal  | closed   | tee S ×1 (too_small, refund), jacket ×1       |
|        |       |           |         |          | (damaged, store credit; disposed)             |
| R2     | O3    | 9 June    | shopify | approved | tee S ×2 (too_small, exchange)                |
| R3     | O2    | 10 June   | portal  | rejected | tee M ×1 (changed_mind, refund)               |
| R5     | O1    | 13 June   | portal  | requested| tee S ×1 (no reason, refund)                  |

R1's settlements: a refund of 18.00 (fee 2.00) and store credit of 130.00 (bonus 10.00).
Every time is at 12:00 UTC unless the builder says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core.analytics import Period
from core.enums import (
    Channel,
    Disposition,
    LedgerState,
    ResolutionKind,
    ReturnStatus,
)
from core.models import (
    Customer,
    Order,
    OrderLine,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    Settlement,
    Shop,
    Variant,
)

PERIOD = Period(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 15, tzinfo=UTC))


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class Dataset:
    shop: Shop
    ann: Customer
    bob: Customer


class _Builder:
    def __init__(self, session: Session, shop: Shop) -> None:
        self.session = session
        self.shop = shop
        self.seq = 0

    def variant(self, vid: str, product: str, title: str, price: str, collections: list[str]):
        variant = Variant(
            shop_id=self.shop.id,
            platform_id=vid,
            product_platform_id=product,
            sku=vid.upper(),
            title=title,
            product_title=title.split(" / ")[0],
            price=Decimal(price),
            collections=collections,
        )
        self.session.add(variant)
        self.session.flush()
        return variant

    def order(self, who, placed, delivered, country, lines, **kw: Any) -> Order:
        self.seq += 1
        order = Order(
            shop_id=self.shop.id,
            platform_id=f"o{self.seq}",
            number=str(1000 + self.seq),
            currency="USD",
            customer_id=who.id if who else None,
            ordered_at=placed,
            delivered_at=delivered,
            shipping_country=country,
            **kw,
        )
        for variant, quantity, price in lines:
            order.lines.append(
                OrderLine(
                    shop_id=self.shop.id,
                    platform_id=f"li{self.seq}-{len(order.lines)}",
                    variant_id=variant.id if variant else None,
                    variant_platform_id=variant.platform_id if variant else None,
                    product_platform_id=variant.product_platform_id if variant else None,
                    sku=variant.sku if variant else None,
                    title=variant.title if variant else "Gift wrap",
                    quantity=quantity,
                    unit_price=Decimal(price),
                    discounted_unit_price=Decimal(price),
                    currency="USD",
                )
            )
        self.session.add(order)
        self.session.flush()
        return order

    def ret(
        self, order, requested, status, lines, channel=Channel.PORTAL, **stamps
    ) -> ReturnRequest:
        self.seq += 1
        request = ReturnRequest(
            shop_id=self.shop.id,
            rma=f"R{self.seq}",
            order_id=order.id,
            customer_id=order.customer_id,
            status=status,
            channel=channel,
            country=order.shipping_country,
            currency="USD",
            requested_at=requested,
            **stamps,
        )
        for index, reason, resolution, quantity, extra in lines:
            line = order.lines[index]
            request.lines.append(
                ReturnLine(
                    shop_id=self.shop.id,
                    order_line_id=line.id,
                    quantity=quantity,
                    reason_code=reason,
                    resolution=resolution,
                    unit_amount=line.discounted_unit_price,
                    currency="USD",
                    **extra,
                )
            )
        self.session.add(request)
        self.session.flush()
        return request

    def settle(self, request, kind, amount, applied, fee="0", bonus="0") -> None:
        self.session.add(
            Settlement(
                shop_id=self.shop.id,
                return_id=request.id,
                kind=kind,
                amount=Decimal(amount),
                fee=Decimal(fee),
                bonus=Decimal(bonus),
                currency="USD",
                idempotency_key=f"settle-{request.id}-{kind.value}",
                state=LedgerState.APPLIED,
                applied_at=applied,
            )
        )


def build(session: Session) -> Dataset:
    """The shop above, committed."""
    shop = Shop(platform="shopify", domain="figures.myshopify.com", currency="USD")
    session.add(shop)
    session.flush()
    b = _Builder(session, shop)
    tee_s = b.variant("tee-s", "P-TEE", "Tee / S", "20", ["tops", "sale"])
    tee_m = b.variant("tee-m", "P-TEE", "Tee / M", "20", ["tops", "sale"])
    jacket = b.variant("jkt", "P-JKT", "Jacket", "120", ["outerwear"])
    ann = Customer(shop_id=shop.id, platform_id="ann", email="ann@example.com", tags=["VIP"])
    bob = Customer(shop_id=shop.id, platform_id="bob", email="bob@example.com", tags=[])
    session.add_all([ann, bob])
    session.add_all(
        [
            ReturnReason(shop_id=shop.id, code="too_small", label="Too small"),
            ReturnReason(shop_id=shop.id, code="damaged", label="Arrived damaged"),
        ]
    )
    session.flush()
    b.order(ann, at(5, 10), at(5, 12), "US", [(tee_m, 2, "20")])
    o5 = b.order(None, at(5, 20), at(5, 22), "US", [(tee_s, 4, "20")])
    o1 = b.order(ann, at(6, 2), at(6, 4), "US", [(tee_s, 2, "20"), (jacket, 1, "120")])
    o2 = b.order(bob, at(6, 3), at(6, 5), "CA", [(tee_m, 1, "20"), (None, 1, "5")])
    o3 = b.order(None, at(6, 5), at(6, 7), "DE", [(tee_s, 3, "20")])
    b.order(ann, at(6, 6), None, "US", [(jacket, 1, "120")], cancelled_at=at(6, 7))

    refund, credit = ResolutionKind.REFUND, ResolutionKind.STORE_CREDIT
    r6 = b.ret(o5, at(5, 25), ReturnStatus.CLOSED, [(0, "too_small", refund, 1, {})])
    b.settle(r6, refund, "20", at(5, 30))
    b.ret(
        o5,
        at(6, 3),
        ReturnStatus.RECEIVED,
        [(0, "too_big", refund, 1, {})],
        approved_at=at(6, 3, 18),
        received_at=at(6, 8),
    )
    r1 = b.ret(
        o1,
        at(6, 6),
        ReturnStatus.CLOSED,
        [
            (
                0,
                "too_small",
                refund,
                1,
                {"received_quantity": 1, "disposition": Disposition.RESTOCK},
            ),
            (1, "damaged", credit, 1, {"received_quantity": 1, "disposition": Disposition.DISPOSE}),
        ],
        approved_at=at(6, 7),
        in_transit_at=at(6, 8),
        received_at=at(6, 11),
        graded_at=at(6, 12, 0),
        closed_at=at(6, 13),
    )
    b.settle(r1, refund, "18", at(6, 12), fee="2")
    b.settle(r1, credit, "130", at(6, 13, 0), bonus="10")
    b.ret(
        o3,
        at(6, 9),
        ReturnStatus.APPROVED,
        [(0, "too_small", ResolutionKind.EXCHANGE, 2, {})],
        channel=Channel.SHOPIFY,
        approved_at=at(6, 9),
    )
    b.ret(o2, at(6, 10), ReturnStatus.REJECTED, [(0, "changed_mind", refund, 1, {})])
    b.ret(o1, at(6, 13), ReturnStatus.REQUESTED, [(0, None, refund, 1, {})])
    session.commit()
    return Dataset(shop, ann, bob)
