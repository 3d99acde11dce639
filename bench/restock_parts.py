"""What the restock benchmark grades and watches: return lines ready to grade, the store's
stock changes, the commit times of the movements, and the worker processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bench.services import REPO
from connectors.woocommerce.mapping import ensure_location
from core.clock import SystemClock
from core.enums import Disposition, Grade
from core.models import Order, OrderLine, Variant
from core.ports import JobKind, NullDispatcher
from core.services import LineRequest, grade_line, receive_return, request_return
from sandbox.woocommerce.seed import seed_catalog
from worker.dispatch import RQDispatcher

CLOCK = SystemClock()


class StockWatch:
    """Records when each product's stock changed on the emulated store (in this process)."""

    def __init__(self, store: Any) -> None:
        self.changed_at: dict[tuple[int, int], float] = {}
        self.store, inner = store, store.update_stock

        # Passes every argument on, so the watch follows the emulator's signature as it grows.
        def update_stock(product_id: int, *args: Any, **kwargs: Any) -> int | None:
            result: int | None = inner(product_id, *args, **kwargs)
            self.changed_at.setdefault((id(store), product_id), time.perf_counter())
            return result

        store.update_stock = update_stock


class TimingDispatcher:
    """Notes when each movement was committed (services dispatch right after commit); while
    ``held``, keeps the jobs back until ``release``."""

    def __init__(self, inner: RQDispatcher) -> None:
        self.inner, self.committed_at = inner, {}  # type: ignore[var-annotated]
        self.held: list[tuple[JobKind, int]] | None = None

    def dispatch(self, kind: JobKind, object_id: int) -> None:
        if kind == "movement":
            self.committed_at[object_id] = time.perf_counter()
        if self.held is not None:
            self.held.append((kind, object_id))
        else:
            self.inner.dispatch(kind, object_id)

    def release(self) -> None:
        """Enqueue every held job now (faster than workers take them), and hold no more."""
        held, self.held = self.held or [], None
        for kind, object_id in held:
            self.inner.dispatch(kind, object_id)


def prepare_lines(session: Session, shop: Any, store: Any, count: int) -> list[tuple[int, int]]:
    """``count`` received return lines, each of its own product; (return line id, product)."""
    location = ensure_location(session, shop)
    session.commit()
    lines = []
    for product in seed_catalog(store, count=count, stock=5):
        variant = Variant(
            shop_id=shop.id,
            platform_id=str(product["id"]),
            product_platform_id=str(product["id"]),
            sku=product["sku"],
        )
        session.add(variant)
        session.flush()
        order = Order(
            shop_id=shop.id,
            platform_id=f"o{variant.id}",
            number=str(variant.id),
            currency="USD",
            ordered_at=CLOCK.now(),
            delivered_at=CLOCK.now(),
        )
        price = Decimal(20)
        order.lines.append(
            OrderLine(
                shop_id=shop.id,
                platform_id=f"l{variant.id}",
                quantity=1,
                variant_id=variant.id,
                unit_price=price,
                discounted_unit_price=price,
                currency="USD",
            )
        )
        session.add(order)
        session.commit()
        ret = request_return(
            session,
            shop_id=shop.id,
            order_id=order.id,
            lines=[LineRequest(order.lines[0].id, 1)],
            actor="bench",
            clock=CLOCK,
            dispatcher=NullDispatcher(),
        )
        receive_return(
            session,
            shop_id=shop.id,
            return_id=ret.id,
            received={ret.lines[0].id: 1},
            actor="bench",
            clock=CLOCK,
            dispatcher=NullDispatcher(),
        )
        lines.append((ret.lines[0].id, int(product["id"])))
    assert location.id
    return lines


def grade(session: Session, shop_id: int, line_id: int, dispatcher: Any) -> None:
    grade_line(
        session,
        shop_id=shop_id,
        return_line_id=line_id,
        grade=Grade.NEW,
        disposition=Disposition.RESTOCK,
        actor="bench",
        clock=CLOCK,
        dispatcher=dispatcher,
    )


@contextmanager
def workers(count: int, env: dict[str, str]) -> Iterator[None]:
    """``count`` worker processes on the restock queue; their log goes to a file, so the
    benchmark's own output stays one JSON figure per line."""
    log_path = Path(env["RESHELF_INSTANCE_PATH"]) / f"workers-{count}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "worker", "--queues", "restock"],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
            for _ in range(count)
        ]
        try:
            yield
        finally:
            for proc in procs:
                os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs:
                proc.wait(timeout=30)


def wait_until(done: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the workers did not finish in time")
        time.sleep(0.01)
