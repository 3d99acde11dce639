"""Starting a return: check quantities, ask the policy, price it, record it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.clock import Clock
from core.enums import ApprovalMode, Channel, Disposition, ResolutionKind, ReturnStatus
from core.errors import DomainError, NotEligible, NotFound, QuantityExceeded
from core.models import Order, ReturnLine, ReturnReason, ReturnRequest, Shop
from core.policy import Decision
from core.ports import JobDispatcher
from core.rma import new_rma
from core.services._common import move, record
from core.services.eligibility import OrderDecisions, decide_order
from core.services.risk import RequestedLine, RiskAssessment, assess_request, risk_settings

# Days an approved shopper has to send the parcel; reminders and expiry count from here.
SHIP_BY_DAYS = 14


@dataclass(frozen=True)
class LineRequest:
    """What the shopper asks for one order line."""

    order_line_id: int
    quantity: int
    reason_code: str | None = None
    resolution: ResolutionKind = ResolutionKind.REFUND
    comment: str | None = None
    exchange_variant_id: int | None = None
    photos: int = 0  # photos the shopper attaches with the request (the risk score counts them)


def request_return(
    session: Session,
    *,
    shop_id: int,
    order_id: int,
    lines: list[LineRequest],
    actor: str,
    clock: Clock,
    dispatcher: JobDispatcher,
    channel: Channel = Channel.PORTAL,
    locale: str = "en",
    customer_note: str | None = None,
) -> ReturnRequest:
    """Create a return for some lines of an order, decided by the published policy."""
    request = record_return(
        session,
        shop_id=shop_id,
        order_id=order_id,
        lines=lines,
        actor=actor,
        clock=clock,
        channel=channel,
        locale=locale,
        customer_note=customer_note,
    )
    session.commit()
    dispatcher.dispatch("return_sync", request.id)
    return request


def record_return(
    session: Session,
    *,
    shop_id: int,
    order_id: int,
    lines: list[LineRequest],
    actor: str,
    clock: Clock,
    channel: Channel,
    locale: str = "en",
    customer_note: str | None = None,
) -> ReturnRequest:
    """``request_return``'s work without the commit, for use cases that add to the same row."""
    order = _lock_order(session, shop_id, order_id)
    if not lines or len({li.order_line_id for li in lines}) != len(lines):
        raise DomainError("choose each item to return once, and at least one")
    reasons = {li.order_line_id: li.reason_code for li in lines}
    decided = decide_order(session, shop_id=shop_id, order=order, clock=clock, reasons=reasons)
    _check_quantities(order, lines, decided.returnable)
    _check_reasons(lines, decided.reasons)
    risk = _assess(session, order, lines, decided, clock)
    if risk.score:
        # Rules may test the score; the window end the score looked at is the score-blind one.
        decided = decide_order(
            session,
            shop_id=shop_id,
            order=order,
            clock=clock,
            reasons=reasons,
            risk_score=risk.score,
        )
    version = decided.version
    decisions = {i: d for i, d in decided.lines.items() if i in reasons}
    refused = [r for d in decisions.values() if not d.eligible for r in d.reasons]
    if refused:
        raise NotEligible(refused)
    request = ReturnRequest(
        shop_id=shop_id,
        rma=_free_rma(session, shop_id),
        order=order,
        customer_id=order.customer_id,
        status=ReturnStatus.REQUESTED,
        channel=channel,
        policy_version_id=version.id,
        email=order.email,
        country=order.shipping_country,
        locale=locale,
        currency=order.currency,
        customer_note=customer_note,
        requested_at=clock.now(),
        ship_by=(clock.now() + timedelta(days=SHIP_BY_DAYS)).date(),
        decision={"lines": [d.as_json() for d in decisions.values()]},
        risk_score=risk.score,
        risk_reasons=risk.as_json(),
    )
    session.add(request)
    _add_lines(session, request, order, lines, decisions)
    record(session, request, "requested", actor, clock, channel=channel.value)
    _decide(session, request, list(decisions.values()), actor="policy", clock=clock)
    return request


def _assess(
    session: Session, order: Order, lines: list[LineRequest], decided: OrderDecisions, clock: Clock
) -> RiskAssessment:
    return assess_request(
        session,
        order=order,
        lines=[
            RequestedLine(li.order_line_id, li.quantity, li.reason_code, li.photos) for li in lines
        ],
        deadlines={i: d.deadline for i, d in decided.lines.items()},
        reason_labels=decided.reasons,
        settings=risk_settings(
            shop.settings if (shop := session.get(Shop, order.shop_id)) else None
        ),
        now=clock.now(),
    )


def _lock_order(session: Session, shop_id: int, order_id: int) -> Order:
    """The order, held by this transaction until it ends, so the quantity check and the
    insert of its returns happen one request at a time.

    A write is the lock both databases enforce: on PostgreSQL it locks the row like
    ``FOR UPDATE``; SQLite ignores ``FOR UPDATE``, but a transaction whose first statement
    writes takes the database's write lock (waiting the busy timeout for it) before it reads
    anything, so a second request reads the quantities only after the first one committed.
    """
    session.execute(
        update(Order)
        .where(Order.shop_id == shop_id, Order.id == order_id)
        .values(updated_at=Order.updated_at)
        .execution_options(synchronize_session=False)
    )
    order = session.scalars(
        select(Order).where(Order.shop_id == shop_id, Order.id == order_id).with_for_update()
    ).one_or_none()
    if order is None:
        raise NotFound(f"no order {order_id} in this shop")
    return order


def _check_quantities(order: Order, lines: list[LineRequest], left: dict[int, int]) -> None:
    titles = {line.id: line.title for line in order.lines}
    for asked in lines:
        if asked.order_line_id not in left:
            raise NotFound(f"line {asked.order_line_id} is not part of order {order.number}")
        if asked.quantity < 1:
            raise DomainError("quantity must be at least 1")
        if asked.quantity > left[asked.order_line_id]:
            raise QuantityExceeded(
                f"only {left[asked.order_line_id]} of “{titles[asked.order_line_id]}” "
                f"can still be returned, not {asked.quantity}"
            )


def _check_reasons(lines: list[LineRequest], offered: dict[str, str]) -> None:
    """Each reason given must be one of the shop's (a line may give none)."""
    if any(li.reason_code is not None and li.reason_code not in offered for li in lines):
        raise DomainError("choose a reason from the shop's list")


def _add_lines(
    session: Session,
    request: ReturnRequest,
    order: Order,
    asked: list[LineRequest],
    decisions: dict[int, Decision],
) -> None:
    by_id = {line.id: line for line in order.lines}
    reasons = {
        r.code: r.id
        for r in session.scalars(select(ReturnReason).where(ReturnReason.shop_id == order.shop_id))
    }
    flat_fee_charged = False
    for li in asked:
        decision = decisions[li.order_line_id]
        outcome = decision.outcome
        assert outcome is not None  # eligible decisions always carry their rule's outcome
        if li.resolution not in outcome.resolutions and not decision.keep_item:
            allowed = ", ".join(r.value for r in outcome.resolutions)
            raise DomainError(f"{li.resolution.value} is not offered for this item ({allowed})")
        unit = by_id[li.order_line_id].discounted_unit_price
        value = unit * li.quantity
        fee = Decimal(0)
        if outcome.fee is not None and (outcome.fee.kind == "percent" or not flat_fee_charged):
            fee = outcome.fee.of(value)
            flat_fee_charged = flat_fee_charged or outcome.fee.kind == "flat"
        bonus = Decimal(0)
        if li.resolution == ResolutionKind.STORE_CREDIT and outcome.store_credit_bonus:
            bonus = outcome.store_credit_bonus.of(value)
        request.lines.append(
            ReturnLine(
                shop_id=request.shop_id,
                order_line_id=li.order_line_id,
                quantity=li.quantity,
                reason_code=li.reason_code,
                reason_id=reasons.get(li.reason_code or ""),
                comment=li.comment,
                resolution=ResolutionKind.KEEP_ITEM if decision.keep_item else li.resolution,
                disposition=Disposition.KEEP if decision.keep_item else None,
                exchange_variant_id=li.exchange_variant_id,
                unit_amount=unit,
                fee_amount=fee,
                bonus_amount=bonus,
                currency=request.currency,
            )
        )
    request.refund_subtotal = sum(
        (ln.unit_amount * ln.quantity for ln in request.lines), Decimal(0)
    )
    request.fee_total = sum((ln.fee_amount for ln in request.lines), Decimal(0))
    request.bonus_total = sum((ln.bonus_amount for ln in request.lines), Decimal(0))
    request.refund_total = request.refund_subtotal - request.fee_total + request.bonus_total
    request.free_shipping = all(d.outcome and d.outcome.free_shipping for d in decisions.values())


def _decide(
    session: Session, request: ReturnRequest, decisions: list[Decision], actor: str, clock: Clock
) -> None:
    modes = {d.approval for d in decisions}
    customer = request.order.customer
    blocked = customer is not None and customer.list_status == "block"
    if ApprovalMode.REJECT in modes:
        move(session, request, ReturnStatus.REJECTED, actor, clock, why="policy rejects")
    elif ApprovalMode.REVIEW in modes or blocked:
        move(session, request, ReturnStatus.NEEDS_REVIEW, actor, clock)
    else:
        move(session, request, ReturnStatus.APPROVED, actor, clock)


def _free_rma(session: Session, shop_id: int) -> str:
    while True:
        rma = new_rma()
        taken = session.scalar(
            select(ReturnRequest.id).where(
                ReturnRequest.shop_id == shop_id, ReturnRequest.rma == rma
            )
        )
        if taken is None:
            return rma
