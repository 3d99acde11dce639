"""What the core needs from the outside world, as protocols.

The connectors implement ``StoreConnector``; the worker implements ``JobDispatcher``.
Services take them as arguments, so the webapp, the worker and the tests all call the
same code with whichever implementation fits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from core.clock import Clock
    from core.inbox import Inbox
    from core.models import (
        InboxDelivery,
        Location,
        ReturnRequest,
        Settlement,
        Shop,
        StockMovement,
        Variant,
    )

# "backfill" takes a shop id: a newly connected shop is read whole (``worker.backfills``).
JobKind = Literal["movement", "settlement", "return_sync", "inbox", "backfill"]


class JobDispatcher(Protocol):
    """Queues work whose record is already committed to the database."""

    def dispatch(self, kind: JobKind, object_id: int) -> None: ...


class NullDispatcher:
    """Dispatches nothing; the sweeper will find the pending rows."""

    def dispatch(self, kind: JobKind, object_id: int) -> None:
        return None


@dataclass
class RecordingDispatcher:
    """Remembers what was dispatched (tests, dry runs)."""

    sent: list[tuple[JobKind, int]] = field(default_factory=list)

    def dispatch(self, kind: JobKind, object_id: int) -> None:
        self.sent.append((kind, object_id))


@dataclass(frozen=True)
class StoreAnswer:
    """What the store said when a ledger row was applied."""

    reference: str | None = None
    quantity_after: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SyncResult:
    """Counts of one sync pass, for the sync log."""

    resource: str
    fetched: int = 0
    upserted: int = 0
    skipped_stale: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class StoreConnector(Protocol):
    """Everything the core and the worker ask of a store platform.

    Every method that changes the store is idempotent on the ledger row's key: calling
    it again after a crash or a retry has no second effect. Methods raise
    ``RetriableStoreError`` or ``FatalStoreError`` (see ``core.errors``).
    """

    @property
    def platform(self) -> str:
        """The platform name (``Shop.platform``)."""
        ...

    @property
    def max_concurrency(self) -> int:
        """Calls in flight to one shop at once; the worker's per-shop rate limit uses it."""
        ...

    def apply_movement(self, session: Session, movement: StockMovement) -> StoreAnswer: ...

    def apply_settlement(self, session: Session, settlement: Settlement) -> StoreAnswer: ...

    def push_return(self, session: Session, request: ReturnRequest) -> None:
        """Make the store reflect the return's status (Shopify returns, WooCommerce notes)."""

    def read_available(self, variant: Variant, location: Location) -> int:
        """Units available on the store right now (reconciliation)."""

    def process_delivery(self, session: Session, delivery: InboxDelivery) -> None:
        """Apply a stored webhook delivery to the mirror; idempotent, tolerates reordering."""

    def sync(self, session: Session, resource: str, *, full: bool, clock: Clock) -> SyncResult:
        """Backfill (``full``) or reconcile since the cursor one resource of the shop."""

    def refresh_credentials(self, session: Session, clock: Clock) -> bool:
        """Refresh expiring tokens ahead of time; True if anything changed."""

    def check_webhooks(self, session: Session) -> list[str]:
        """Repair webhook subscriptions; return what was repaired."""


class Readable(Protocol):
    """A request body stream (WSGI's ``wsgi.input``, werkzeug's ``request.stream``)."""

    def read(self, size: int = -1, /) -> bytes: ...


class IncomingWebhook(NamedTuple):
    """A webhook request as the endpoint received it, before a byte of the body is read."""

    # The WSGI environ: each header is one lookup (``HTTP_X_SHOPIFY_TOPIC``), PEP 3333.
    environ: Mapping[str, Any]
    stream: Readable
    content_length: int | None
    # The last part of the URL (``/webhooks/woocommerce/<shop key>``), None if there is none.
    shop_key: str | None


class Acknowledgement(NamedTuple):
    """The endpoint's answer, and the inbox row to announce to the worker (None: nothing new)."""

    text: str
    status: int
    stored: int | None = None


class ConnectorClass(Protocol):
    """A platform's connector class, as ``connectors.CONNECTORS`` holds it.

    What callers need before they have one shop's connector is read from the class: the
    dispatcher's per-shop limit, the privacy topics the sweeper must not hold back.
    """

    @property
    def platform(self) -> str:
        """The platform name, the value stored in ``Shop.platform`` (the registry's key)."""
        ...

    @property
    def max_concurrency(self) -> int:
        """Calls in flight to one shop at once; the worker's per-shop rate limit uses it."""
        ...

    @property
    def privacy_topics(self) -> frozenset[str]:
        """Topics applied whatever the shop's state (privacy requests need no store call)."""
        ...

    @property
    def backfill_resources(self) -> tuple[str, ...]:
        """What a new shop's backfill syncs, in order (orders point at products)."""
        ...

    def for_shop(self, session: Session, shop: Shop) -> StoreConnector:
        """The connector of one shop of this platform, ready to call the store."""
        ...

    def receive_webhook(
        self, incoming: IncomingWebhook, inbox: Inbox, clock: Clock
    ) -> Acknowledgement:
        """Verify one delivery and store it in the inbox (``POST /webhooks/<platform>``)."""
        ...

    @property
    def cli_commands(self) -> tuple[Any, ...]:
        """The platform's ``reshelf`` commands (click commands), added under ``reshelf shop``."""
        ...
