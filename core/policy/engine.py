"""Deciding, explaining and comparing: the three questions a policy answers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.enums import ApprovalMode
from core.policy.context import LineContext, OrderContext
from core.policy.rules import CompiledPolicy, Outcome, PolicyRule

NO_RULE = "No return rule covers this item."


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether one line may come back, under which rule, on which terms, and why."""

    line_id: int
    eligible: bool
    reasons: tuple[str, ...]
    rule_name: str | None = None
    rule_position: int | None = None
    outcome: Outcome | None = None
    deadline: datetime | None = None
    keep_item: bool = False

    @property
    def approval(self) -> ApprovalMode:
        if not self.eligible or self.outcome is None:
            return ApprovalMode.REJECT
        return self.outcome.approval

    def terms(self) -> tuple[Any, ...]:
        """What a shopper would notice changing; dry runs compare these."""
        o = self.outcome
        return (
            self.eligible,
            self.deadline,
            self.keep_item,
            None if o is None else (o.resolutions, o.fee, o.free_shipping),
            None if o is None else (o.store_credit_bonus, o.approval, o.disposition),
        )

    def as_json(self) -> dict[str, Any]:
        """A snapshot to store on the return, so the desk sees what the shopper saw."""
        o = self.outcome
        return {
            "line_id": self.line_id,
            "eligible": self.eligible,
            "reasons": list(self.reasons),
            "rule": self.rule_name,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "keep_item": self.keep_item,
            "approval": self.approval.value,
            "resolutions": [r.value for r in o.resolutions] if o else [],
            "free_shipping": bool(o and o.free_shipping),
        }


def _matches(rule: PolicyRule, order: OrderContext, line: LineContext, now: datetime) -> bool:
    return all(cond.check(order, line, now) for _, cond in rule.conditions)


def decide_line(
    policy: CompiledPolicy, order: OrderContext, line: LineContext, now: datetime
) -> Decision:
    """The first rule whose conditions all hold decides the line."""
    for rule in policy.rules:
        if _matches(rule, order, line, now):
            return _apply(rule, order, line, now)
    return Decision(line.line_id, False, (NO_RULE,))


def _apply(rule: PolicyRule, order: OrderContext, line: LineContext, now: datetime) -> Decision:
    outcome = rule.outcome

    def decided(eligible: bool, reason: str, **terms: Any) -> Decision:
        return Decision(
            line.line_id, eligible, (reason,), rule.name, rule.position, outcome, **terms
        )

    if not outcome.eligible:
        return decided(False, outcome.message or "This item cannot be returned.")
    deadline = None
    if outcome.window_days is not None:
        deadline = order.window_start + timedelta(days=outcome.window_days)
        if now > deadline:
            closed = (
                f"The {outcome.window_days}-day return window, counted from "
                f"{order.window_start_label()}, closed on {deadline:%d %B %Y}."
            )
            return decided(False, closed, deadline=deadline)
    below = outcome.keep_item_below
    keep = below is not None and line.discounted_unit_price < below
    until = f" until {deadline:%d %B %Y}" if deadline else ""
    return decided(
        True,
        outcome.message or f"You can return this item{until}.",
        deadline=deadline,
        keep_item=keep,
    )


def evaluate(policy: CompiledPolicy, order: OrderContext, now: datetime) -> list[Decision]:
    """One Decision per line of the order, in line order."""
    return [decide_line(policy, order, line, now) for line in order.lines]


def explain(policy: CompiledPolicy, order: OrderContext, line: LineContext, now: datetime) -> str:
    """Which rule decided the line, and why each earlier rule did not."""
    out: list[str] = []
    for rule in policy.rules:
        failed = [
            c.explain(order, line, now) for _, c in rule.conditions if not c.check(order, line, now)
        ]
        label = f"Rule {rule.position + 1} “{rule.name}”"
        if failed:
            out.append(f"{label} did not match: {'; '.join(failed)}.")
            continue
        decision = _apply(rule, order, line, now)
        verdict = "eligible" if decision.eligible else "not eligible"
        out.append(f"{label} matched: {verdict} — {' '.join(decision.reasons)}")
        return "\n".join(out)
    out.append(NO_RULE)
    return "\n".join(out)


@dataclass(frozen=True, slots=True)
class DecisionChange:
    order_number: str
    line_id: int
    before: Decision
    after: Decision


def dry_run(
    published: CompiledPolicy,
    candidate: CompiledPolicy,
    orders: Iterable[OrderContext],
    now: datetime,
) -> list[DecisionChange]:
    """Every line whose decision would change if ``candidate`` replaced ``published``."""
    changes = []
    for order in orders:
        for line in order.lines:
            before = decide_line(published, order, line, now)
            after = decide_line(candidate, order, line, now)
            if before.terms() != after.terms():
                changes.append(DecisionChange(order.number, line.line_id, before, after))
    return changes
