"""Reshelf's return reasons → Shopify's standardized return reasons.

Since 2026-01 a return line names a ``ReturnReasonDefinition`` from Shopify's library
(https://shopify.dev/docs/api/admin-graphql/latest/queries/returnReasonDefinitions). A
merchant's reason maps through ``ReturnReason.platform_reason`` (a handle); Reshelf's
built-in codes map through the table below; anything else is "other".
"""

from __future__ import annotations

from connectors.shopify.client import Api
from core.models import ReturnLine, ReturnReason

HANDLE_FOR_CODE = {
    "too_small": "size-too-small",
    "too_large": "size-too-large",
    "damaged": "damaged-or-defective",
    "defective": "damaged-or-defective",
    "not_as_described": "not-as-described",
    "wrong_item": "wrong-item",
    "changed_mind": "unwanted",
    "unwanted": "unwanted",
    "style": "style",
    "color": "color",
}
FALLBACK = "other"


def definitions(api: Api) -> dict[str, str]:
    """Shopify's reason definition ids by handle."""
    nodes = api("return_reasons", {"first": 50})["returnReasonDefinitions"]["nodes"]
    return {node["handle"]: node["id"] for node in nodes}


def handle_for(line: ReturnLine, reason: ReturnReason | None) -> str:
    """The Shopify handle for a line's reason."""
    if reason is not None and reason.platform_reason:
        return reason.platform_reason
    return HANDLE_FOR_CODE.get((line.reason_code or "").lower(), FALLBACK)
