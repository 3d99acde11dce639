"""The closed vocabularies of the domain, stored as their string values."""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    """The platforms Reshelf ships a connector for. ``Shop.platform`` is a plain string, the
    name a connector class is registered under (``connectors.CONNECTORS``), so another
    platform needs no change here."""

    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"


class ShopStatus(StrEnum):
    ACTIVE = "active"
    NEEDS_RECONNECT = "needs_reconnect"  # credentials refused by the store; merchant must act
    UNINSTALLED = "uninstalled"


class Role(StrEnum):
    OWNER = "owner"
    AGENT = "agent"
    WAREHOUSE = "warehouse"


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    NEEDS_REVIEW = "needs_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    GRADED = "graded"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Disposition(StrEnum):
    RESTOCK = "restock"
    REFURBISH = "refurbish"
    DISPOSE = "dispose"
    RETURN_TO_VENDOR = "return_to_vendor"
    KEEP = "keep"


class Grade(StrEnum):
    """The condition the warehouse found the unit in."""

    NEW = "new"
    LIKE_NEW = "like_new"
    USED = "used"
    DAMAGED = "damaged"
    MISSING = "missing"


class ResolutionKind(StrEnum):
    REFUND = "refund"
    STORE_CREDIT = "store_credit"
    EXCHANGE = "exchange"
    KEEP_ITEM = "keep_item"


class ResolutionState(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


class ApprovalMode(StrEnum):
    AUTO_APPROVE = "auto_approve"
    REVIEW = "review"
    REJECT = "reject"


class LedgerState(StrEnum):
    """State of a ledger row (stock movement or settlement) against the store."""

    PENDING = "pending"
    APPLIED = "applied"
    FAILED = "failed"


class InboxStatus(StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    IGNORED = "ignored"  # stored for the record, but no handler (unknown topic) or stale
    FAILED = "failed"


class PolicyVersionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class Channel(StrEnum):
    """Where a return was started."""

    PORTAL = "portal"
    SHOPIFY = "shopify"
    WOOCOMMERCE_PLUGIN = "woocommerce_plugin"
    ADMIN = "admin"
