"""The webhook inbox's write path: find the shop a delivery is for, store the delivery once.

This runs before every webhook's acknowledgement, so it is plain SQL on one connection:
the stores' deadlines are seconds (Shopify waits five, WooCommerce fifteen), deliveries come
in bursts, and the acknowledgement must not wait on anything but the database's commit. The
insert is one ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` on an autocommit connection,
so a delivery is durable when it returns, and a repeated delivery is told apart without an
exception or a second round trip. It is the only round trip of an acknowledgement whose
shop is known.

The shop a delivery names is remembered for a minute per process (``Inbox``), as a
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
from typing import Any, TypeVar, cast

import orjson
import psycopg
from cachetools import TTLCache
from sqlalchemy import URL, Connection, Engine, Insert, Table, bindparam, create_engine, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from core.db import dialect_insert
from core.enums import InboxStatus, ShopStatus
from core.models import InboxDelivery, Shop

T = TypeVar("T")


@dataclass(frozen=True)
class NewDelivery:
    """A verified delivery, as the inbox stores it."""

    shop_id: int
    platform: str
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


def acknowledging_engine(engine: Engine) -> Engine:
    """The engine deliveries are stored through: every statement commits on its own.

    On PostgreSQL it has its own pool, made from ``engine``'s URL (``core.db.make_engine``
    puts everything a connection needs there), whose connections are autocommit for good
    and are not pinged before use: the ping is a round trip on every delivery, as much as
    the INSERT's own (``Inbox`` retries a statement that found its connection dead).
    Elsewhere it is ``engine`` with autocommit set per connection.
    """
    if engine.dialect.name != "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return _unpinged_autocommit_engine(engine.url)


@lru_cache(maxsize=8)
def _unpinged_autocommit_engine(url: URL) -> Engine:
    """One per database per process, as ``core.db.engine_for``."""
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_size=5, max_overflow=10)


def find_delivery_shop(
    connection: Connection, platform: str, *, domain: str | None = None, key: str | None = None
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


class Inbox:
    """The inbox's write side for one app process: finds a delivery's shop, stores it once.

    Shops that deliveries named lately are remembered for ``ttl`` seconds, as a hint only
    (see the module's docstring).
    """

    def __init__(self, engine: Engine, ttl: float = 60, maxsize: int = 10_000) -> None:
        self.engine = engine
        self._shops: TTLCache[tuple[str, str], DeliveryShop] = TTLCache(maxsize, ttl)
        self._lock = threading.Lock()  # TTLCache is not safe across threads on its own

    def find_shop(
        self,
        platform: str,
        *,
        domain: str | None = None,
        key: str | None = None,
        accept: Callable[[DeliveryShop], bool] = lambda shop: True,
    ) -> DeliveryShop | None:
        """The shop by domain or key that ``accept`` takes (its signature verifies with it).

        A remembered shop that ``accept`` refuses is read again from the database before
        the answer is no, so the memory never turns a valid delivery away.
        """
        name = (platform, domain if domain is not None else f"key:{key}")
        with self._lock:
            remembered = self._shops.get(name)
        if remembered is not None and accept(remembered):
            return remembered
        shop = self._run(lambda c: find_delivery_shop(c, platform, domain=domain, key=key))
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

    def store(self, delivery: NewDelivery) -> int | None:
        """Store the delivery and return its id, or None if its shop already has its dedupe key.

        A shop deleted since it was remembered fails the INSERT's foreign key: it is
        forgotten, so the store's retry is refused, and the error is raised.
        """
        try:
            if self.engine.dialect.name == "postgresql":
                return self._store_by_driver(delivery)
            return self._run(lambda connection: store_delivery(connection, delivery))
        except IntegrityError:
            self.forget(delivery.shop_id)
            raise

    def _store_by_driver(self, delivery: NewDelivery) -> int | None:
        """The INSERT through psycopg itself, on a connection of the pool: SQLAlchemy's
        statement execution cost as much as the round trip, on the path every webhook takes.
        Errors are raised as SQLAlchemy's, and a dead connection is handled as in ``_run``,
        the pool replaced (its other connections died with the server, most likely)."""
        values = _driver_values(delivery)
        try:
            return self._insert_by_driver(values)
        except psycopg.OperationalError:
            self.engine.dispose()
        try:
            return self._insert_by_driver(values)
        except psycopg.OperationalError as exc:
            raise OperationalError(_DRIVER_INSERT, values, exc) from exc

    def _insert_by_driver(self, values: dict[str, Any]) -> int | None:
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(_DRIVER_INSERT, values)
            row = cursor.fetchone()
        except psycopg.OperationalError:
            connection.invalidate()
            raise
        except psycopg.IntegrityError as exc:
            raise IntegrityError(_DRIVER_INSERT, values, exc) from exc
        finally:
            connection.close()
        return None if row is None else int(row[0])

    def _run(self, work: Callable[[Connection], T]) -> T:
        """``work`` on a connection of the pool, and once more on a new one if that one was
        dead: connections are not pinged before use (``acknowledging_engine``), so one the
        database closed since (a restart, an idle timeout) fails its first statement. SQLAlchemy
        then discards it and every older connection of the pool
        (https://docs.sqlalchemy.org/en/20/core/pooling.html#disconnect-handling-optimistic).

        Running ``work`` twice is safe: it reads, or it is the INSERT that does nothing for a
        delivery already stored. If the first INSERT committed but its answer was lost, the
        second finds the row and says None, as for a repeated delivery: the delivery is
        stored but not announced, and the sweeper enqueues it.
        """
        try:
            with self.engine.connect() as connection:
                return work(connection)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        with self.engine.connect() as connection:
            return work(connection)


def store_delivery(connection: Connection, delivery: NewDelivery) -> int | None:
    """Store the delivery on an autocommit ``connection``: its id, or None if it was there."""
    stored: int | None = connection.execute(
        _insert_statement(connection.dialect.name), dict(vars(delivery))
    ).scalar_one_or_none()
    return stored


def _driver_values(delivery: NewDelivery) -> dict[str, Any]:
    """What the model's column types would bind (``test_inbox`` reads them back through it)."""
    values = dict(vars(delivery))
    values["platform"] = str(delivery.platform)
    values["headers"] = orjson.dumps(delivery.headers).decode()
    return values


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


_DRIVER_INSERT = (
    "INSERT INTO inbox_deliveries (shop_id, platform, topic, dedupe_key, webhook_id, event_id,"
    " triggered_at, api_version, resource_id, headers, body, received_at, status, attempts)"
    " VALUES (%(shop_id)s, %(platform)s, %(topic)s, %(dedupe_key)s, %(webhook_id)s,"
    " %(event_id)s, %(triggered_at)s, %(api_version)s, %(resource_id)s, %(headers)s, %(body)s,"
    f" %(received_at)s, '{InboxStatus.RECEIVED.value}', 0)"
    " ON CONFLICT (shop_id, dedupe_key) DO NOTHING RETURNING id"
)
