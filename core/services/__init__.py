"""Use cases: each one transaction, each taking its collaborators as arguments.

The webapp and the worker call these same functions; a ``JobDispatcher`` is told about
new work only after the transaction that recorded it has committed.
"""

from core.services.deliveries import process_delivery
from core.services.eligibility import OrderDecisions, decide_order, returnable_quantities
from core.services.grading import grade_line
from core.services.ledger import apply_movement, apply_settlement, push_return
from core.services.platform_returns import PlatformReturn, adopt_platform_return
from core.services.policies import ensure_default_policy, publish_policy, published_policy
from core.services.requests import LineRequest, request_return
from core.services.resolution import resolve_return
from core.services.transitions import (
    approve_return,
    cancel_return,
    close_return,
    mark_in_transit,
    receive_return,
    reject_return,
)

__all__ = [
    "LineRequest",
    "OrderDecisions",
    "PlatformReturn",
    "adopt_platform_return",
    "apply_movement",
    "apply_settlement",
    "approve_return",
    "cancel_return",
    "close_return",
    "decide_order",
    "ensure_default_policy",
    "grade_line",
    "mark_in_transit",
    "process_delivery",
    "publish_policy",
    "push_return",
    "published_policy",
    "receive_return",
    "reject_return",
    "request_return",
    "resolve_return",
    "returnable_quantities",
]
