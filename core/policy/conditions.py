"""The conditions a rule can test, each able to say why it failed.

Tags, types, collections, countries and reasons are compared in lower case: the
context builder lowers what comes from the store, and compiling lowers the rule's side.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fnmatch import translate
from typing import Any

from core.policy.context import LineContext, OrderContext

Getter = Callable[[OrderContext, LineContext, datetime], Any]


class ConditionError(ValueError):
    """A condition in a rule is malformed; the message names it."""


@dataclass(frozen=True, slots=True)
class SetCondition:
    """The line's values include any of / none of the listed ones."""

    name: str
    values: frozenset[str]
    negate: bool
    get: Callable[[OrderContext, LineContext], frozenset[str]]

    def check(self, order: OrderContext, line: LineContext, now: datetime) -> bool:
        hit = not self.get(order, line).isdisjoint(self.values)
        return hit != self.negate

    def explain(self, order: OrderContext, line: LineContext, now: datetime) -> str:
        have = ", ".join(sorted(self.get(order, line))) or "none"
        want = ", ".join(sorted(self.values))
        mode = "none of" if self.negate else "any of"
        return f"{self.name} is [{have}], rule needs {mode} [{want}]"


@dataclass(frozen=True, slots=True)
class SkuCondition:
    """The SKU matches any of / none of the glob patterns (``TEE-*``)."""

    pattern: re.Pattern[str]
    patterns: tuple[str, ...]
    negate: bool

    def check(self, order: OrderContext, line: LineContext, now: datetime) -> bool:
        hit = line.sku is not None and self.pattern.match(line.sku) is not None
        return hit != self.negate

    def explain(self, order: OrderContext, line: LineContext, now: datetime) -> str:
        mode = "none of" if self.negate else "any of"
        return f"sku is {line.sku or 'empty'}, rule needs {mode} {list(self.patterns)}"


@dataclass(frozen=True, slots=True)
class FlagCondition:
    """A yes/no property of the line equals the rule's."""

    name: str
    expected: bool
    get: Callable[[LineContext], bool]

    def check(self, order: OrderContext, line: LineContext, now: datetime) -> bool:
        return self.get(line) == self.expected

    def explain(self, order: OrderContext, line: LineContext, now: datetime) -> str:
        return (
            f"{self.name} is {str(self.get(line)).lower()}, rule needs {str(self.expected).lower()}"
        )


@dataclass(frozen=True, slots=True)
class RangeCondition:
    """A number of the line or order lies within [min, max] (either bound optional)."""

    name: str
    low: Decimal | None
    high: Decimal | None
    get: Getter

    def check(self, order: OrderContext, line: LineContext, now: datetime) -> bool:
        value = self.get(order, line, now)
        if self.low is not None and value < self.low:
            return False
        return self.high is None or value <= self.high

    def explain(self, order: OrderContext, line: LineContext, now: datetime) -> str:
        low = "-inf" if self.low is None else self.low
        high = "inf" if self.high is None else self.high
        return f"{self.name} is {self.get(order, line, now)}, rule needs {low} to {high}"


Condition = SetCondition | SkuCondition | FlagCondition | RangeCondition

_SETS: dict[str, Callable[[OrderContext, LineContext], frozenset[str]]] = {
    "product_tags": lambda o, li: li.product_tags,
    "product_types": lambda o, li: (
        frozenset((li.product_type,)) if li.product_type else frozenset()
    ),
    "collections": lambda o, li: li.collections,
    "customer_tags": lambda o, li: o.customer_tags,
    "shipping_country": lambda o, li: (
        frozenset((o.shipping_country,)) if o.shipping_country else frozenset()
    ),
    "reason": lambda o, li: frozenset((li.reason,)) if li.reason else frozenset(),
}
_FLAGS: dict[str, Callable[[LineContext], bool]] = {
    "final_sale": lambda li: li.final_sale,
    "discounted": lambda li: li.discounted,
}
_RANGES: dict[str, Getter] = {
    "price": lambda o, li, now: li.discounted_unit_price,
    "days_since_delivery": lambda o, li, now: o.days_since_window_start(now),
    "order_count": lambda o, li, now: o.customer_order_count,
    "lifetime_spend": lambda o, li, now: o.customer_lifetime_spend,
    # ``{"risk_score": {"min": N}}`` is "risk score ≥ N".
    "risk_score": lambda o, li, now: o.risk_score,
}
CONDITION_NAMES = frozenset(_SETS) | frozenset(_FLAGS) | frozenset(_RANGES) | {"skus"}


def compile_condition(name: str, arg: Any) -> Condition:
    """Turn one ``when`` entry of a rule into a condition, or raise ``ConditionError``."""
    if name in _FLAGS:
        if not isinstance(arg, bool):
            raise ConditionError(f"{name} takes true or false, not {arg!r}")
        return FlagCondition(name, arg, _FLAGS[name])
    if name in _RANGES:
        if not isinstance(arg, dict) or not set(arg) <= {"min", "max"} or not arg:
            raise ConditionError(f"{name} takes {{'min': n, 'max': n}}, not {arg!r}")
        return RangeCondition(
            name, _number(name, arg.get("min")), _number(name, arg.get("max")), _RANGES[name]
        )
    if name in _SETS or name == "skus":
        negate, values = _any_or_none(name, arg)
        if name == "skus":
            regex = re.compile("|".join(translate(v) for v in values), re.IGNORECASE)
            return SkuCondition(regex, tuple(values), negate)
        return SetCondition(name, frozenset(v.lower() for v in values), negate, _SETS[name])
    raise ConditionError(f"unknown condition {name!r}; known: {', '.join(sorted(CONDITION_NAMES))}")


def _any_or_none(name: str, arg: Any) -> tuple[bool, list[str]]:
    if isinstance(arg, dict) and len(arg) == 1 and next(iter(arg)) in ("any", "none"):
        mode, values = next(iter(arg.items()))
        if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
            return mode == "none", values
    raise ConditionError(f"{name} takes {{'any': [...]}} or {{'none': [...]}}, not {arg!r}")


def _number(name: str, value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError as exc:
        raise ConditionError(f"{name}: {value!r} is not a number") from exc
