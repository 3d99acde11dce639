"""Rules as data: parse and validate the JSON a merchant saves into typed, fast objects.

A rule is ``{"name": ..., "when": {condition: argument, ...}, "then": {outcome}}``; every
condition in ``when`` must hold. The first rule whose conditions hold decides the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.enums import ApprovalMode, Disposition, ResolutionKind
from core.policy.conditions import Condition, ConditionError, compile_condition


class RuleError(ValueError):
    """A rule is malformed; the message names the rule and the field."""


@dataclass(frozen=True, slots=True)
class Charge:
    """A fee or a bonus: a flat amount or a percentage of the line's value."""

    kind: str  # "flat" | "percent"
    amount: Decimal

    def of(self, value: Decimal) -> Decimal:
        """The charge on ``value`` (flat charges do not depend on it)."""
        if self.kind == "flat":
            return self.amount
        return (value * self.amount / Decimal(100)).quantize(Decimal("0.01"))


DEFAULT_RESOLUTIONS = (ResolutionKind.REFUND, ResolutionKind.EXCHANGE)


@dataclass(frozen=True, slots=True)
class Outcome:
    eligible: bool = True
    message: str | None = None
    window_days: int | None = None
    resolutions: tuple[ResolutionKind, ...] = DEFAULT_RESOLUTIONS
    fee: Charge | None = None
    free_shipping: bool = False
    store_credit_bonus: Charge | None = None
    approval: ApprovalMode = ApprovalMode.AUTO_APPROVE
    keep_item_below: Decimal | None = None
    disposition: Disposition | None = None


@dataclass(frozen=True, slots=True)
class PolicyRule:
    position: int
    name: str
    conditions: tuple[tuple[str, Condition], ...]
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    """An ordered list of rules, with the id of the version it came from (if stored)."""

    rules: tuple[PolicyRule, ...]
    version_id: int | None = None


_OUTCOME_KEYS = {
    "eligible",
    "message",
    "window_days",
    "resolutions",
    "fee",
    "free_shipping",
    "store_credit_bonus",
    "approval",
    "keep_item_below",
    "disposition",
}


def compile_rule(position: int, data: dict[str, Any]) -> PolicyRule:
    """Validate one rule's JSON and compile it."""
    name = str(data.get("name") or f"Rule {position + 1}")
    try:
        when = data.get("when") or {}
        if not isinstance(when, dict):
            raise RuleError("'when' must be an object")
        conditions = tuple((key, compile_condition(key, arg)) for key, arg in when.items())
        outcome = _outcome(data.get("then") or {})
    except (ConditionError, RuleError, ValueError) as exc:
        raise RuleError(f"rule {name!r}: {exc}") from exc
    return PolicyRule(position, name, conditions, outcome)


def compile_policy(rules: list[dict[str, Any]], version_id: int | None = None) -> CompiledPolicy:
    """Compile a whole policy; the first bad rule raises ``RuleError``."""
    return CompiledPolicy(tuple(compile_rule(i, r) for i, r in enumerate(rules)), version_id)


def _outcome(then: dict[str, Any]) -> Outcome:
    unknown = set(then) - _OUTCOME_KEYS
    if unknown:
        raise RuleError(f"unknown outcome field(s) {sorted(unknown)}")
    window = then.get("window_days")
    if window is not None and (not isinstance(window, int) or window < 0):
        raise RuleError(f"window_days must be a whole number of days, not {window!r}")
    resolutions = then.get("resolutions")
    return Outcome(
        eligible=bool(then.get("eligible", True)),
        message=then.get("message"),
        window_days=window,
        resolutions=(
            tuple(ResolutionKind(r) for r in resolutions)
            if resolutions is not None
            else DEFAULT_RESOLUTIONS
        ),
        fee=_charge("fee", then.get("fee")),
        free_shipping=bool(then.get("free_shipping", False)),
        store_credit_bonus=_charge("store_credit_bonus", then.get("store_credit_bonus")),
        approval=ApprovalMode(then.get("approval", ApprovalMode.AUTO_APPROVE)),
        keep_item_below=(
            Decimal(str(then["keep_item_below"]))
            if then.get("keep_item_below") is not None
            else None
        ),
        disposition=Disposition(then["disposition"]) if then.get("disposition") else None,
    )


def _charge(field: str, value: Any) -> Charge | None:
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("type") not in ("flat", "percent"):
        raise RuleError(f"{field} takes {{'type': 'flat'|'percent', 'amount': n}}, not {value!r}")
    amount = Decimal(str(value.get("amount", "0")))
    if amount < 0:
        raise RuleError(f"{field} amount cannot be negative")
    return Charge(value["type"], amount)
