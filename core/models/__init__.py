"""Every table Reshelf keeps, importable from one place."""

from core.models.catalog import InventoryLevel, Location, Variant
from core.models.connect import ConnectAttempt
from core.models.ledger import Settlement, StockMovement
from core.models.orders import Customer, Order, OrderLine
from core.models.policies import Policy, PolicyVersion, PublishedPolicyError, Rule
from core.models.returns import ReturnEvent, ReturnLine, ReturnPhoto, ReturnReason, ReturnRequest
from core.models.shops import Membership, Shop, User
from core.models.sync import DriftReport, InboxDelivery, OutboundEmail, SyncCursor, SyncRun

__all__ = [
    "ConnectAttempt",
    "Customer",
    "DriftReport",
    "InboxDelivery",
    "InventoryLevel",
    "Location",
    "Membership",
    "Order",
    "OrderLine",
    "OutboundEmail",
    "Policy",
    "PolicyVersion",
    "PublishedPolicyError",
    "ReturnEvent",
    "ReturnLine",
    "ReturnPhoto",
    "ReturnReason",
    "ReturnRequest",
    "Rule",
    "Settlement",
    "Shop",
    "StockMovement",
    "SyncCursor",
    "SyncRun",
    "User",
    "Variant",
]
