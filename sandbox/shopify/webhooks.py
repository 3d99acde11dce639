"""Webhook delivery over HTTP(S), signed and retried as Shopify does.

- Body and headers (``X-Shopify-Topic``, ``X-Shopify-Hmac-Sha256``, ``X-Shopify-Shop-Domain``,
  ``X-Shopify-API-Version``, ``X-Shopify-Webhook-Id``, ``X-Shopify-Event-Id``,
  ``X-Shopify-Triggered-At``): https://shopify.dev/docs/apps/build/webhooks/delivery-structure
- The signature is the base64 HMAC-SHA256 of the raw body keyed with the app's client
  secret: https://shopify.dev/docs/apps/build/webhooks/verify-deliveries
- One second to connect, five to answer; anything but 2xx is retried 8 times over 4 hours
  with exponential backoff, with the original payload:
  https://shopify.dev/changelog/updates-to-webhook-retry-mechanism
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from sandbox.shopify.state import utcnow

# Seconds before each retry: doubling from one minute, about four hours in all.
RETRY_DELAYS = [60 * 2**n for n in range(8)]


def sign(body: bytes, secret: str) -> str:
    """The ``X-Shopify-Hmac-Sha256`` value for ``body``."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass(order=True)
class Delivery:
    """One webhook on its way, with the headers it keeps across retries."""

    due: float
    seq: int
    url: str = field(compare=False)
    body: bytes = field(compare=False)
    headers: dict[str, str] = field(compare=False)
    attempts: int = field(default=0, compare=False)


@dataclass
class Attempt:
    """What happened to one delivery attempt (for tests and the demo)."""

    webhook_id: str
    topic: str
    status: int | None


class WebhookSender:
    """A background thread that delivers and retries webhooks; ``time_scale`` compresses waits."""

    def __init__(self, secret: str, api_version: str, time_scale: float = 1.0) -> None:
        self.secret = secret
        self.api_version = api_version
        self.time_scale = time_scale
        self.attempts: list[Attempt] = []
        self.failed: list[Delivery] = []
        self._queue: list[Delivery] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._in_flight = 0
        self._client = httpx.Client(timeout=httpx.Timeout(5.0, connect=1.0))
        self._thread = threading.Thread(target=self._run, name="shopify-webhooks", daemon=True)
        self._stopped = False
        self._thread.start()

    def send(self, url: str, topic: str, shop_domain: str, payload: dict[str, Any]) -> str:
        """Queue a delivery of ``payload`` for ``topic``; return its webhook id."""
        body = json.dumps(payload).encode()
        webhook_id = str(uuid.uuid4())
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign(body, self.secret),
            "X-Shopify-Shop-Domain": shop_domain,
            "X-Shopify-API-Version": self.api_version,
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-Triggered-At": utcnow().isoformat(),
        }
        with self._cond:
            heapq.heappush(
                self._queue, Delivery(time.monotonic(), next(self._seq), url, body, headers)
            )
            self._cond.notify()
        return webhook_id

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is queued or in flight; say whether that happened in time."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
        return True

    def close(self) -> None:
        """Stop the delivery thread."""
        with self._cond:
            self._stopped = True
            self._cond.notify()
        self._thread.join(timeout=5)
        self._client.close()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (
                    not self._queue or self._queue[0].due > time.monotonic()
                ):
                    wait = self._queue[0].due - time.monotonic() if self._queue else None
                    self._cond.wait(wait)
                if self._stopped:
                    return
                delivery = heapq.heappop(self._queue)
                self._in_flight += 1
            self._attempt(delivery)
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def _attempt(self, delivery: Delivery) -> None:
        status: int | None = None
        try:
            status = self._client.post(
                delivery.url, content=delivery.body, headers=delivery.headers
            ).status_code
        except httpx.HTTPError:
            status = None
        headers = delivery.headers
        self.attempts.append(
            Attempt(headers["X-Shopify-Webhook-Id"], headers["X-Shopify-Topic"], status)
        )
        if status is not None and 200 <= status < 300:
            return
        if delivery.attempts >= len(RETRY_DELAYS):
            self.failed.append(delivery)
            return
        delivery.due = time.monotonic() + RETRY_DELAYS[delivery.attempts] * self.time_scale
        delivery.attempts += 1
        with self._cond:
            heapq.heappush(self._queue, delivery)
