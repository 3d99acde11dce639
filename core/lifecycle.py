"""The return lifecycle: which status may follow which."""

from __future__ import annotations

from core.enums import ReturnStatus as S
from core.errors import InvalidTransition

TRANSITIONS: dict[S, frozenset[S]] = {
    S.REQUESTED: frozenset({S.APPROVED, S.REJECTED, S.NEEDS_REVIEW, S.CANCELLED}),
    S.NEEDS_REVIEW: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.IN_TRANSIT, S.RECEIVED, S.CANCELLED, S.CLOSED}),
    S.IN_TRANSIT: frozenset({S.RECEIVED, S.CANCELLED}),
    S.RECEIVED: frozenset({S.GRADED}),
    S.GRADED: frozenset({S.CLOSED}),
    S.REJECTED: frozenset(),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Statuses whose units still count against what can be returned.
OPEN_OR_DONE = frozenset(set(S) - {S.REJECTED, S.CANCELLED})

# The timestamp column each status sets on ReturnRequest.
STATUS_TIMESTAMP: dict[S, str] = {
    S.REQUESTED: "requested_at",
    S.APPROVED: "approved_at",
    S.REJECTED: "rejected_at",
    S.IN_TRANSIT: "in_transit_at",
    S.RECEIVED: "received_at",
    S.GRADED: "graded_at",
    S.CLOSED: "closed_at",
    S.CANCELLED: "cancelled_at",
}


def check_transition(current: S, requested: S) -> None:
    """Raise ``InvalidTransition`` unless ``requested`` may follow ``current``."""
    if requested not in TRANSITIONS[current]:
        raise InvalidTransition(current.value, requested.value)
