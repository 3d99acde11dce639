"""Webhook delivery: queued, coalesced, signed, sent in the background, never retried.

Sources (plugins/woocommerce/includes/):
- wc-webhook-functions.php ``wc_webhook_execute_queue()``: deliveries go to Action
  Scheduler; one is not queued again while an identical one (same webhook, same resource)
  is still pending - so several changes coalesce into one delivery, whose payload is built
  when it is sent (``WC_Webhook::build_payload``), not when the change happened.
- class-wc-webhook.php ``deliver()``: POST JSON, headers X-WC-Webhook-Source/-Topic/
  -Resource/-Event/-Signature/-ID/-Delivery-ID; ``generate_signature()`` is base64 of
  HMAC-SHA256 of the raw body with the secret; ``get_new_delivery_id()`` is
  ``wp_hash($id . strtotime('now'))`` - the same for two deliveries in one second;
  ``log_delivery()`` counts 2xx/301/302 as success (failure count back to 0), anything
  else calls ``failed_delivery()``, which disables the webhook once the count is above 5.
  Nothing is ever retried.
- ``deliver_ping()``: a form body ``webhook_id=N``, no signature headers; 200 expected.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

logger = logging.getLogger(__name__)

MAX_FAILURES = 5  # apply_filters('woocommerce_max_webhook_delivery_failures', 5)
USER_AGENT = "WooCommerce/10.3.0 Hookshot (WordPress/6.8.3)"


@dataclass
class Webhook:
    """A row of ``wc_webhooks``."""

    id: int
    name: str
    topic: str
    delivery_url: str
    secret: str
    status: str = "active"
    failure_count: int = 0
    pending_delivery: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def resource(self) -> str:
        """``order`` for ``order.created``."""
        return self.topic.split(".", 1)[0]

    @property
    def event(self) -> str:
        """``created`` for ``order.created``."""
        return self.topic.split(".", 1)[1]


@dataclass
class DeliveryRecord:
    """What was sent and what came back (the ``webhooks-delivery`` log)."""

    webhook_id: int
    headers: dict[str, str]
    body: bytes
    status: int | None
    sent_at: int  # the second the delivery id was derived from


def sign(body: bytes, secret: str) -> str:
    """``WC_Webhook::generate_signature``."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class Dispatcher:
    """Action Scheduler's ``woocommerce_deliver_webhook_async`` queue, run by one thread."""

    def __init__(
        self,
        payload: Callable[[Webhook, Any], Any],
        source: Callable[[], str],
        second: Callable[[], int] = lambda: int(time.time()),
    ):
        self.webhooks: dict[int, Webhook] = {}
        self.log: list[DeliveryRecord] = []
        self._payload, self._source, self._second = payload, source, second
        self._queue: deque[tuple[int, str]] = deque()
        self._pending: set[tuple[int, str]] = set()
        self._args: dict[str, Any] = {}  # an action's argument can be any JSON value
        self._busy = False
        self._stopped = False
        self._cond = threading.Condition()
        self._salt = base64.b16encode(hashlib.sha256(str(time.time()).encode()).digest()[:8])
        threading.Thread(target=self._run, name="wc-webhooks", daemon=True).start()

    def on_change(self, resource: str, event: str, resource_id: Any) -> None:
        """Queue a delivery for every active webhook on this topic (coalescing duplicates)."""
        topic = f"{resource}.{event}"
        arg = json.dumps(resource_id, sort_keys=True)
        with self._cond:
            self._args[arg] = resource_id
            for hook in list(self.webhooks.values()):
                key = (hook.id, arg)
                if hook.status == "active" and hook.topic == topic and key not in self._pending:
                    self._pending.add(key)
                    self._queue.append(key)
            self._cond.notify_all()

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is queued or being sent (for tests and the demo)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                if not self._cond.wait(max(0.0, deadline - time.monotonic())):
                    return False
        return True

    def ping(self, hook: Webhook) -> bool:
        """``deliver_ping()``: a form post without signature; True when answered 200."""
        try:
            answer = requests.post(
                hook.delivery_url,
                data=f"webhook_id={hook.id}",
                timeout=60,
                headers={
                    "User-Agent": USER_AGENT,
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
        except requests.RequestException:
            return False
        if answer.status_code == 200:
            hook.pending_delivery = False
        return answer.status_code == 200

    def stop(self) -> None:
        """End the background thread (queued deliveries are dropped)."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                key = self._queue.popleft()
                self._pending.discard(key)  # an action that started running is no longer pending
                self._busy = True
            try:
                hook = self.webhooks.get(key[0])
                if hook is not None:
                    self._deliver(hook, self._args[key[1]])
            except Exception:
                # Action Scheduler marks the action failed and moves on to the next one.
                logger.exception("webhook delivery %s failed", key)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _deliver(self, hook: Webhook, arg: Any) -> None:
        # wp_json_encode() keeps json_encode's defaults: "\/" for slashes, \uXXXX escapes.
        text = json.dumps(self._payload(hook, arg), separators=(",", ":"))
        body = text.replace("/", "\\/").encode()
        second = self._second()  # the site's strtotime('now')
        delivery_id = hmac.new(self._salt, f"{hook.id}{second}".encode(), "md5").hexdigest()
        headers = {
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json",
            "X-WC-Webhook-Source": self._source(),
            "X-WC-Webhook-Topic": hook.topic,
            "X-WC-Webhook-Resource": hook.resource,
            "X-WC-Webhook-Event": hook.event,
            "X-WC-Webhook-Signature": sign(body, hook.secret),
            "X-WC-Webhook-ID": str(hook.id),
            "X-WC-Webhook-Delivery-ID": delivery_id,
        }
        status: int | None = None
        try:
            status = requests.post(
                hook.delivery_url, data=body, headers=headers, timeout=60, allow_redirects=False
            ).status_code
        except requests.RequestException:
            status = None
        self.log.append(DeliveryRecord(hook.id, headers, body, status, second))
        if status is not None and 200 <= status < 303:
            hook.failure_count = 0
        elif hook.failure_count > MAX_FAILURES:
            hook.status = "disabled"
        else:
            hook.failure_count += 1
