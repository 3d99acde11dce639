"""The policy a new shop starts with: 30 days, final sale excluded, refunds and exchanges."""

from __future__ import annotations

from typing import Any

DEFAULT_POLICY_NAME = "Standard returns"

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "name": "Final sale items",
        "when": {"final_sale": True},
        "then": {"eligible": False, "message": "Final sale items cannot be returned."},
    },
    {
        "name": "Standard 30 days",
        "when": {},
        "then": {
            "window_days": 30,
            "resolutions": ["refund", "exchange", "store_credit"],
            "approval": "auto_approve",
            "disposition": "restock",
        },
    },
]

# The reasons a shopper picks from while the merchant has not defined reasons of their own.
DEFAULT_REASONS = {
    "too_small": "Too small",
    "too_big": "Too big",
    "not_as_described": "Not as described",
    "damaged": "Arrived damaged",
    "changed_mind": "Changed my mind",
}
