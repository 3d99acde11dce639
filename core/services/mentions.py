"""What names a person: in a stored webhook body, a log text or a mail.

A person is named by their email address, as a whole address (``ann@example.com`` does not
name ``joann@example.com``), or by their customer or order id where a payload puts an id of
that kind: WooCommerce ids are shared by every kind of post, so a product 7 never names the
customer 7, and a guest's ``customer_id: 0`` names no one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

REDACTED = "[redacted]"


@dataclass
class Person:
    """Whom to forget, as the store names them: emails and platform ids (verbatim)."""

    emails: set[str] = field(default_factory=set)
    customer_ids: set[str] = field(default_factory=set)
    order_ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        """Emails compare case-insensitively; empty values name no one."""
        self.emails = {e.strip().lower() for e in self.emails if e and e.strip()}
        self.customer_ids = {str(i) for i in self.customer_ids if i not in (None, "", 0, "0")}
        self.order_ids = {str(i) for i in self.order_ids if i not in (None, "", 0, "0")}


def quotes(text: str, emails: Iterable[str]) -> bool:
    """Whether ``text`` holds one of ``emails`` as a whole address (any case)."""
    return any(_address(e).search(text) for e in emails if e)


def scrub(value: Any, emails: Iterable[str]) -> Any:
    """``value`` (JSON-like) with every string that quotes one of ``emails`` redacted."""
    needles = [e for e in emails if e]
    if isinstance(value, dict):
        return {k: scrub(v, needles) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, needles) for v in value]
    if isinstance(value, str) and quotes(value, needles):
        return REDACTED
    return value


def mentions(topic: str, payload: Any, person: Person) -> bool:
    """Whether a webhook payload names the person: their email anywhere, or their customer
    or order id where the payload puts an id of that kind."""
    customers, orders = _refs(person.customer_ids), _refs(person.order_ids)
    resource = topic.replace("/", ".").split(".", 1)[0]
    if isinstance(payload, dict):
        root = str(payload.get("id", ""))
        if (resource in ("customers", "customer") and root in customers) or (
            resource in ("orders", "order") and root in orders
        ):
            return True
        if resource == "action" and str(payload.get("arg", "")) in orders:
            return True  # action.woocommerce_order_refunded: the arg is the order id
    pairs = _walk(payload)
    return any(_names(key, value, person.emails, customers, orders) for key, value in pairs)


def body_names(topic: str, body: bytes | None, person: Person) -> bool:
    """``mentions`` for a stored body; one that is not JSON is searched as text."""
    try:
        payload = json.loads(body or b"null")
    except ValueError:
        return quotes((body or b"").decode("utf-8", "replace"), person.emails)
    return mentions(topic, payload, person)


def _address(email: str) -> re.Pattern[str]:
    # Characters that may continue an address on either side (RFC 5322 atext, dots, hyphens).
    return re.compile(rf"(?<![\w.!#$%&'*+/=?^`{{|}}~-]){re.escape(email)}(?![\w.-])", re.I)


def _refs(platform_ids: Iterable[str]) -> set[str]:
    """How bodies name an id: ``gid://shopify/Order/5`` is ``5``, WooCommerce ids as they are."""
    return {pid.rsplit("/", 1)[-1] for pid in platform_ids}


def _walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair of a JSON document, depth first."""
    yield key, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, key)


def _names(key: str, value: Any, emails: set[str], customers: set[str], orders: set[str]) -> bool:
    if isinstance(value, str):
        return quotes(value, emails)
    if isinstance(value, dict) and key in ("customer", "order"):
        return str(value.get("id", "")) in (customers if key == "customer" else orders)
    if isinstance(value, int | str) and not isinstance(value, bool) and value:
        return (key == "customer_id" and str(value) in customers) or (
            key == "order_id" and str(value) in orders
        )
    return False
