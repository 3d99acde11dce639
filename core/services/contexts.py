"""Build the policy engine's plain contexts from mirrored orders."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Customer, Order, Variant
from core.policy import LineContext, OrderContext


def _lower(values: list[str] | None) -> frozenset[str]:
    return frozenset(v.lower() for v in values or ())


def order_context(
    session: Session, order: Order, reasons: dict[int, str | None] | None = None
) -> OrderContext:
    """The order as the rules see it; ``reasons`` gives the shopper's reason per line id."""
    reasons = reasons or {}
    variant_ids = [line.variant_id for line in order.lines if line.variant_id is not None]
    variants = {
        v.id: v
        for v in session.scalars(
            select(Variant).where(Variant.shop_id == order.shop_id, Variant.id.in_(variant_ids))
        )
    }
    lines = []
    for line in order.lines:
        variant = variants.get(line.variant_id) if line.variant_id else None
        reason = reasons.get(line.id)
        lines.append(
            LineContext(
                line_id=line.id,
                sku=line.sku,
                unit_price=line.unit_price,
                discounted_unit_price=line.discounted_unit_price,
                final_sale=line.final_sale,
                product_tags=_lower(variant.tags if variant else None),
                product_type=(variant.product_type or "").lower() or None if variant else None,
                collections=_lower(variant.collections if variant else None),
                reason=reason.lower() if reason else None,
            )
        )
    customer: Customer | None = order.customer
    return OrderContext(
        order_id=order.id,
        number=order.number,
        currency=order.currency,
        ordered_at=order.ordered_at,
        fulfilled_at=order.fulfilled_at,
        delivered_at=order.delivered_at,
        shipping_country=(order.shipping_country or "").lower() or None,
        customer_tags=_lower(customer.tags if customer else None),
        customer_order_count=customer.orders_count if customer else 0,
        customer_lifetime_spend=customer.total_spent if customer else Decimal(0),
        lines=tuple(lines),
    )
