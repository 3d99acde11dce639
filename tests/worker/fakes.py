"""A small in-memory store behind a fake connector, for unit tests of the jobs.

The throttling and fault-injection tests talk to a real emulator over HTTP instead; this
fake only stands in where what matters is how the worker reacts to a connector.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from sqlalchemy.orm import Session

from core.clock import Clock
from core.enums import Platform
from core.models import (
    InboxDelivery,
    Location,
    ReturnRequest,
    Settlement,
    Shop,
    StockMovement,
    Variant,
)
from core.ports import StoreAnswer, SyncResult


@dataclass
class FakeStore:
    """Stock by variant platform id, what was applied by idempotency key, scripted failures."""

    stock: dict[str, int] = field(default_factory=dict)
    applied: dict[str, StoreAnswer] = field(default_factory=dict)
    failures: list[Exception] = field(default_factory=list)  # raised in order, one per call
    calls: list[str] = field(default_factory=list)
    synced: list[tuple[int, str]] = field(default_factory=list)
    lost_webhooks: dict[int, list[str]] = field(default_factory=dict)

    def connector(self, session: Session, shop: Shop) -> FakeConnector:
        """The connector factory the worker context takes."""
        return FakeConnector(self, shop)

    def _call(self, what: str) -> None:
        self.calls.append(what)
        if self.failures:
            raise self.failures.pop(0)


class FakeConnector:
    """Implements ``StoreConnector`` against a ``FakeStore``; idempotent on each row's key."""

    platform = Platform.WOOCOMMERCE
    max_concurrency = 2

    def __init__(self, store: FakeStore, shop: Shop) -> None:
        self.store, self.shop = store, shop

    def apply_movement(self, session: Session, movement: StockMovement) -> StoreAnswer:
        self.store._call(f"movement {movement.id}")
        key, sku = movement.idempotency_key, movement.variant.platform_id
        if key not in self.store.applied:
            self.store.stock[sku] = self.store.stock.get(sku, 0) + movement.quantity
            self.store.applied[key] = StoreAnswer(
                reference=key, quantity_after=self.store.stock[sku], raw={"id": key}
            )
        return self.store.applied[key]

    def apply_settlement(self, session: Session, settlement: Settlement) -> StoreAnswer:
        self.store._call(f"settlement {settlement.id}")
        key = settlement.idempotency_key
        self.store.applied.setdefault(key, StoreAnswer(reference=f"refund-{key}"))
        return self.store.applied[key]

    def push_return(self, session: Session, request: ReturnRequest) -> None:
        self.store._call(f"return {request.id} {request.status.value}")

    def read_available(self, variant: Variant, location: Location) -> int:
        self.store._call(f"read {variant.platform_id}")
        return self.store.stock.get(variant.platform_id, 0)

    def process_delivery(self, session: Session, delivery: InboxDelivery) -> None:
        self.store._call(f"delivery {delivery.id}")

    def sync(self, session: Session, resource: str, *, full: bool, clock: Clock) -> SyncResult:
        self.store._call(f"sync {resource}")
        self.store.synced.append((self.shop.id, resource))
        return SyncResult(resource=resource, fetched=1)

    def refresh_credentials(self, session: Session, clock: Clock) -> bool:
        self.store._call(f"refresh {self.shop.id}")
        self.shop.token_expires_at = None
        return True

    def check_webhooks(self, session: Session) -> list[str]:
        self.store._call(f"webhooks {self.shop.id}")
        return self.store.lost_webhooks.pop(self.shop.id, [])


def add_movement(session: Session, shop: Shop, variant: Variant, quantity: int = 1) -> Any:
    """A pending movement committed without a return behind it (the ledger allows that)."""
    location = session.query(Location).filter_by(shop_id=shop.id).first()
    assert location is not None
    movement = StockMovement(
        shop_id=shop.id,
        variant_id=variant.id,
        location_id=location.id,
        quantity=quantity,
        idempotency_key=f"test-{uuid4().hex}",
    )
    session.add(movement)
    session.commit()
    return movement
