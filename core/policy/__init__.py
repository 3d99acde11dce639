"""The policy engine: ordered rules as data, decisions per line, explanations, dry runs."""

from core.policy.context import LineContext, OrderContext
from core.policy.engine import Decision, dry_run, evaluate, explain
from core.policy.rules import CompiledPolicy, PolicyRule, RuleError, compile_policy

__all__ = [
    "CompiledPolicy",
    "Decision",
    "LineContext",
    "OrderContext",
    "PolicyRule",
    "RuleError",
    "compile_policy",
    "dry_run",
    "evaluate",
    "explain",
]
