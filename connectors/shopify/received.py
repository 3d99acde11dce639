"""What a webhook handler is given: one stored delivery, its shop, and the Admin API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from connectors.shopify.client import Api
from core.models import InboxDelivery, Shop


@dataclass(frozen=True)
class Received:
    """A verified, stored webhook being applied to the mirror."""

    session: Session
    shop: Shop
    body: dict[str, Any]
    delivery: InboxDelivery
    api: Api

    @property
    def topic(self) -> str:
        """The delivery's topic, e.g. ``orders/updated``."""
        return self.delivery.topic


Handler = Callable[[Received], None]
