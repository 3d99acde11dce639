"""Property-based: no sequence of service calls breaks the lifecycle's invariants.

Hypothesis drives random sequences of every service against one order; after each step
no return is in an impossible state, no line is returned beyond what was bought, and no
return line ever has two stock movements.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from core.enums import Disposition, Grade, ReturnStatus
from core.errors import DomainError
from core.lifecycle import OPEN_OR_DONE, TRANSITIONS
from core.models import ReturnEvent, ReturnLine, ReturnRequest, StockMovement
from core.services import (
    LineRequest,
    approve_return,
    cancel_return,
    close_return,
    grade_line,
    mark_in_transit,
    receive_return,
    reject_return,
    request_return,
    resolve_return,
)

STEPS = ["approve", "reject", "transit", "cancel", "close", "resolve"]


def test_no_sequence_of_service_calls_breaks_the_invariants(db, factory, clock, dispatcher):
    shop = factory.shop()
    variants = [factory.variant(shop) for _ in range(2)]
    common = dict(shop_id=shop.id, actor="prop", clock=clock, dispatcher=dispatcher)

    class Lifecycle(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            # A fresh order per run, so every run starts with everything returnable.
            self.order = factory.order(
                shop, [(variants[0], 3, Decimal("10")), (variants[1], 2, Decimal("5"))]
            )
            db.commit()
            self.bought = {line.id: line.quantity for line in self.order.lines}

        def _returns(self) -> list[ReturnRequest]:
            return list(
                db.scalars(select(ReturnRequest).where(ReturnRequest.order_id == self.order.id))
            )

        def _attempt(self, call, **kw) -> None:
            try:
                call(db, **common, **kw)
            except DomainError:
                db.rollback()  # refused steps must leave nothing behind

        @rule(index=st.integers(0, 1), qty=st.integers(0, 4))
        def request(self, index, qty):
            line = self.order.lines[index].id
            try:
                request_return(db, order_id=self.order.id, lines=[LineRequest(line, qty)], **common)
            except DomainError:
                db.rollback()

        @rule(first=st.integers(1, 3), second=st.integers(1, 2))
        def request_both_lines(self, first, second):
            a, b = (line.id for line in self.order.lines)
            try:
                request_return(
                    db,
                    order_id=self.order.id,
                    lines=[LineRequest(a, first), LineRequest(b, second)],
                    **common,
                )
            except DomainError:
                db.rollback()

        @rule(pick=st.integers(0, 50), step=st.sampled_from(STEPS))
        def move(self, pick, step):
            returns = self._returns()
            if not returns:
                return
            ret_id = returns[pick % len(returns)].id
            calls = {
                "approve": (approve_return, {}),
                "reject": (reject_return, {"reason": "no"}),
                "transit": (mark_in_transit, {"carrier": "dhl"}),
                "cancel": (cancel_return, {}),
                "close": (close_return, {}),
                "resolve": (resolve_return, {}),
            }
            call, extra = calls[step]
            self._attempt(call, return_id=ret_id, **extra)

        @rule(pick=st.integers(0, 50), got=st.integers(0, 4))
        def receive(self, pick, got):
            returns = self._returns()
            if returns:
                ret = returns[pick % len(returns)]
                received = {line.id: min(got, line.quantity + 1) for line in ret.lines}
                self._attempt(receive_return, return_id=ret.id, received=received)

        @rule(
            pick=st.integers(0, 50),
            grade=st.sampled_from(Grade),
            disposition=st.sampled_from(Disposition),
        )
        def grade(self, pick, grade, disposition):
            ids = [r.id for r in self._returns()]
            lines = list(db.scalars(select(ReturnLine).where(ReturnLine.return_id.in_(ids))))
            if lines:
                line = lines[pick % len(lines)]
                self._attempt(
                    grade_line, return_line_id=line.id, grade=grade, disposition=disposition
                )

        @invariant()
        def never_more_returned_than_bought(self):
            taken: Counter[int] = Counter()
            for ret in self._returns():
                if ret.status in OPEN_OR_DONE:
                    for line in ret.lines:
                        taken[line.order_line_id] += line.quantity
            assert all(taken[i] <= n for i, n in self.bought.items())

        @invariant()
        def statuses_only_follow_the_lifecycle(self):
            for ret in self._returns():
                events = db.scalars(
                    select(ReturnEvent)
                    .where(ReturnEvent.return_id == ret.id, ReturnEvent.kind == "status")
                    .order_by(ReturnEvent.id)
                ).all()
                path = [ReturnStatus.REQUESTED] + [ReturnStatus(e.to_status) for e in events]
                assert all(b in TRANSITIONS[a] for a, b in zip(path, path[1:], strict=False))
                assert path[-1] == ret.status
                for line in ret.lines:
                    assert 0 <= line.received_quantity <= line.quantity

        @invariant()
        def at_most_one_movement_per_line_matching_what_arrived(self):
            movements = db.scalars(select(StockMovement).where(StockMovement.shop_id == shop.id))
            per_line = Counter(m.return_line_id for m in movements)
            assert all(n == 1 for n in per_line.values())
            for m in db.scalars(select(StockMovement).where(StockMovement.shop_id == shop.id)):
                assert m.quantity == m.return_line.received_quantity > 0
                assert m.return_line.disposition == Disposition.RESTOCK

    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
