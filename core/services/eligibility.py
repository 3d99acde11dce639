"""What of an order can come back: the policy's decision and the units left, per line.

``decide_order`` is the one place that asks: the portal's order page shows what it
returns, and ``request_return`` asks it again (under the order's lock, with the reasons
the shopper chose) before it records anything, so the page and the request cannot differ.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import Clock
from core.lifecycle import OPEN_OR_DONE
from core.models import Customer, Order, PolicyVersion, ReturnLine, ReturnRequest, Variant
from core.policy import Decision, LineContext, OrderContext, evaluate
from core.queries import shop_reasons
from core.services.policies import published_policy


@dataclass(frozen=True)
class OrderDecisions:
    """Everything the portal shows about an order, and everything a request is checked by."""

    version: PolicyVersion  # the policy version in force, which decided
    lines: dict[int, Decision]  # order line id → the policy's decision
    returnable: dict[int, int]  # order line id → units that can still come back
    reasons: dict[str, str]  # the shop's reasons to choose from, code → label


def decide_order(
    session: Session,
    *,
    shop_id: int,
    order: Order,
    clock: Clock,
    reasons: dict[int, str | None] | None = None,
    risk_score: int = 0,
) -> OrderDecisions:
    """The published policy's decision on each line of ``order``, with what is left of it.

    ``reasons`` (order line id → the shopper's reason code) lets rules that look at the
    reason decide, ``risk_score`` rules that look at the score; the order page asks
    without them.
    """
    version, policy = published_policy(session, shop_id)
    context = replace(order_context(session, order, reasons), risk_score=risk_score)
    return OrderDecisions(
        version=version,
        lines={d.line_id: d for d in evaluate(policy, context, clock.now())},
        returnable=returnable_quantities(session, order),
        reasons=shop_reasons(session, shop_id),
    )


def returnable_quantities(session: Session, order: Order) -> dict[int, int]:
    """Units of each line that can still be returned: bought − refunded − in returns."""
    taken = dict(
        session.execute(
            select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
            .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
            .where(ReturnRequest.order_id == order.id, ReturnRequest.status.in_(OPEN_OR_DONE))
            .group_by(ReturnLine.order_line_id)
        ).all()
    )
    return {
        line.id: max(0, line.quantity - line.refunded_quantity - int(taken.get(line.id) or 0))
        for line in order.lines
    }


def _lower(values: list[str] | None) -> frozenset[str]:
    """Tags and names compare without case."""
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
