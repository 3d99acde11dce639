"""Errors of the domain and of talking to a store.

    ReshelfError
    ├── DomainError                  a request that breaks a rule of the domain (show it)
    │   ├── InvalidTransition        the return is not in a status that allows the step
    │   ├── QuantityExceeded         more units than were bought and not yet returned
    │   ├── NotEligible              the policy says no
    │   └── NotFound                 no such thing in this shop
    └── StoreError                   a call to the store failed
        ├── RetriableStoreError      429, 5xx, timeouts, THROTTLED: try again later
        └── FatalStoreError          the store refused: retrying will not help
            └── StoreAuthError       credentials refused: the shop must reconnect

Connectors raise the StoreError branch (``connectors/errors.py`` adds platform detail);
the worker retries the retriable ones and parks the fatal ones in the failed registry.
"""

from __future__ import annotations


class ReshelfError(Exception):
    """Base of every error Reshelf raises on purpose."""


class DomainError(ReshelfError):
    """A request that breaks a rule of the domain; the message is fit to show."""


class InvalidTransition(DomainError):
    def __init__(self, current: str, requested: str) -> None:
        super().__init__(f"cannot move a return from {current!r} to {requested!r}")
        self.current = current
        self.requested = requested


class QuantityExceeded(DomainError):
    """More units asked for than can still be returned."""


class NotEligible(DomainError):
    """The policy refused the return; ``reasons`` are the sentences for the shopper."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons) or "not eligible for return")
        self.reasons = reasons


class NotFound(DomainError):
    """No such object in this shop."""


class StoreError(ReshelfError):
    """A call to the store failed."""


class RetriableStoreError(StoreError):
    """Transient: rate limited, the store is down or slow. ``retry_after`` in seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FatalStoreError(StoreError):
    """The store refused the call; a person must look at it."""


class StoreAuthError(FatalStoreError):
    """The store refused our credentials; the shop needs reconnecting."""
