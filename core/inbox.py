"""The webhook inbox's write path: find the shop a delivery is for, store the delivery once.

This runs before every webhook's acknowledgement, so it is plain SQL on one connection:
the stores' deadlines are seconds (Shopify waits five, WooCommerce fifteen), deliveries come
in bursts, and the acknowledgement must not wait on anything but the database's commit. The
insert is one ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` on an autocommit connection,
so a delivery is durable when it returns, and a repeated delivery is told apart without an
exception or a second round trip.

The shop a delivery names is remembered for a minute per process (``ShopCache``), as a
hint only: a signature that does not verify with the remembered secrets is checked again
against the database, so a rotated secret works at once; a revoked one, or an uninstall,
is seen within the minute.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from cachetools import TTLCache
from sqlalchemy import Connection, Engine, Insert, Table, bindparam, select
from sqlalchemy.exc import IntegrityError

from core.db import dialect_insert
from core.enums import Platform, ShopStatus
from core.models import InboxDelivery, Shop


@dataclass(frozen=True)
class NewDelivery:
    """A verified delivery, as the inbox stores it."""

    shop_id: int
    platform: Platform
    topic: str
    dedupe_key: str
    received_at: datetime
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    webhook_id: str | None = None
    event_id: str | None = None
    triggered_at: datetime | None = None
    api_version: str | None = None
    resource_id: str | None = None


@dataclass(frozen=True)
class DeliveryShop:
    """What verifying a delivery needs to know of its shop."""

    id: int
    status: ShopStatus
    credentials: dict[str, Any]

    def credential(self, name: str) -> str | None:
        """One secret from the decrypted credentials, or None."""
        value = self.credentials.get(name)
        return None if value is None else str(value)


def autocommit(engine: Engine) -> Connection:
    """A connection whose every statement commits on its own (one round trip each)."""
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def find_delivery_shop(
    connection: Connection, platform: Platform, *, domain: str | None = None, key: str | None = None
) -> DeliveryShop | None:
    """The shop a delivery names, by its domain (Shopify) or its public key (WooCommerce)."""
    if domain is not None:
        row = connection.execute(_SHOP_BY_DOMAIN, {"platform": platform, "domain": domain})
    elif key is not None:
        row = connection.execute(_SHOP_BY_KEY, {"platform": platform, "key": key})
    else:
        raise ValueError("find_delivery_shop needs a domain or a key")
    found = row.one_or_none()
    if found is None:
        return None
    return DeliveryShop(found.id, found.status, found.credentials or {})


class ShopCache:
    """Shops that deliveries named lately, per process, kept for ``ttl`` seconds."""

    def __init__(self, ttl: float = 60, maxsize: int = 10_000) -> None:
        self._shops: TTLCache[tuple[Platform, str], DeliveryShop] = TTLCache(maxsize, ttl)
        self._lock = threading.Lock()  # TTLCache is not safe across threads on its own

    def find(
        self,
        connection: Connection,
        platform: Platform,
        *,
        domain: str | None = None,
        key: str | None = None,
        accept: Callable[[DeliveryShop], bool] = lambda shop: True,
    ) -> DeliveryShop | None:
        """The shop by domain or key that ``accept`` takes (its signature verifies with it).

        A remembered shop that ``accept`` refuses is read again from the database before
        the answer is no, so the cache never turns a valid delivery away.
        """
        name = (platform, domain if domain is not None else f"key:{key}")
        with self._lock:
            remembered = self._shops.get(name)
        if remembered is not None and accept(remembered):
            return remembered
        shop = find_delivery_shop(connection, platform, domain=domain, key=key)
        with self._lock:
            if shop is None:
                self._shops.pop(name, None)
            else:
                self._shops[name] = shop
        return shop if shop is not None and accept(shop) else None

    def forget(self, shop_id: int) -> None:
        """Drop a shop that turned out to be gone (its deliveries are refused from now on)."""
        with self._lock:
            for name in [n for n, shop in self._shops.items() if shop.id == shop_id]:
                self._shops.pop(name, None)


def store_delivery(
    connection: Connection, delivery: NewDelivery, shops: ShopCache | None = None
) -> int | None:
    """Store the delivery and return its id, or None if its shop already has its dedupe key.

    A shop deleted since ``shops`` remembered it fails the INSERT's foreign key: it is
    forgotten, so the store's retry is refused, and the error is raised.
    """
    try:
        stored: int | None = connection.execute(
            _insert_statement(connection.dialect.name), dict(vars(delivery))
        ).scalar_one_or_none()
    except IntegrityError:
        if shops is not None:
            shops.forget(delivery.shop_id)
        raise
    return stored


# Built once: composing a statement costs as much as running it on this path.
_SHOP = select(Shop.id, Shop.status, Shop.credentials).where(Shop.platform == bindparam("platform"))
_SHOP_BY_DOMAIN = _SHOP.where(Shop.domain == bindparam("domain"))
_SHOP_BY_KEY = _SHOP.where(Shop.key == bindparam("key"))


@lru_cache(maxsize=4)
def _insert_statement(dialect: str) -> Insert:
    table = cast(Table, InboxDelivery.__table__)
    statement = dialect_insert(dialect, table).on_conflict_do_nothing(
        index_elements=["shop_id", "dedupe_key"]
    )
    return statement.returning(table.c.id)
