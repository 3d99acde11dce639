"""``FakeConnector``: a store that mirrors ``customer`` deliveries and does nothing else."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from core.clock import Clock
from core.enums import InboxStatus
from core.models import (
    Customer,
    InboxDelivery,
    Location,
    ReturnRequest,
    Settlement,
    Shop,
    StockMovement,
    Variant,
)
from core.ports import StoreAnswer, SyncResult
from tests.fake_platform import cli, webhooks


class FakeConnector:
    """Everything ``StoreConnector`` asks, for a store that only has customers."""

    platform = webhooks.PLATFORM
    max_concurrency = 1
    privacy_topics = frozenset[str]()
    backfill_resources = ("customers",)
    receive_webhook = staticmethod(webhooks.receive)
    cli_commands = (cli.add_fakeshop,)

    def __init__(self, shop: Shop) -> None:
        self.shop = shop

    @classmethod
    def for_shop(cls, session: Session, shop: Shop) -> FakeConnector:
        """The connector of one fake shop."""
        return cls(shop)

    def process_delivery(self, session: Session, delivery: InboxDelivery) -> None:
        """``customer``: mirror the customer; anything else is ignored."""
        if delivery.topic != "customer":
            delivery.status = InboxStatus.IGNORED
            return
        data: dict[str, Any] = json.loads(delivery.body or b"{}")
        session.add(
            Customer(shop_id=self.shop.id, platform_id=str(data["id"]), email=data["email"])
        )

    def apply_movement(self, session: Session, movement: StockMovement) -> StoreAnswer:
        """No stock on this store."""
        return StoreAnswer()

    def apply_settlement(self, session: Session, settlement: Settlement) -> StoreAnswer:
        """No money on this store."""
        return StoreAnswer()

    def push_return(self, session: Session, request: ReturnRequest) -> None:
        """No returns on this store."""

    def read_available(self, variant: Variant, location: Location) -> int:
        """Nothing in stock."""
        return 0

    def sync(self, session: Session, resource: str, *, full: bool, clock: Clock) -> SyncResult:
        """Nothing to read."""
        return SyncResult(resource)

    def refresh_credentials(self, session: Session, clock: Clock) -> bool:
        """Nothing expires."""
        return False

    def check_webhooks(self, session: Session) -> list[str]:
        """Nothing to repair."""
        return []
