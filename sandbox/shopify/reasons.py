"""The library of standardized return reasons (``returnReasonDefinitions``, API 2026-01+).

https://shopify.dev/docs/api/admin-graphql/latest/queries/returnReasonDefinitions lists a
fixed, Shopify-maintained library identified by ``ReturnReasonDefinition`` ids and handles.
The emulator carries a small subset of it with stable ids.
"""

from __future__ import annotations

from sandbox.shopify.connections import gid
from sandbox.shopify.executor import View

# id -> (handle, name)
REASON_DEFINITIONS: dict[int, tuple[str, str]] = {
    1: ("color", "Color"),
    2: ("damaged-or-defective", "Damaged or defective"),
    3: ("not-as-described", "Item not as described"),
    4: ("size-too-small", "Size too small"),
    5: ("size-too-large", "Size too large"),
    6: ("style", "Style"),
    7: ("unwanted", "Changed my mind"),
    8: ("wrong-item", "Received the wrong item"),
    9: ("other", "Other"),
}


def reason_view(reason_id: int) -> View:
    """A ``ReturnReasonDefinition``."""
    handle, name = REASON_DEFINITIONS[reason_id]
    return {
        "__typename": "ReturnReasonDefinition",
        "id": gid("ReturnReasonDefinition", reason_id),
        "handle": handle,
        "name": name,
        "deleted": False,
    }
