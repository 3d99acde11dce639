"""Statistics for PostgreSQL's planner while a shop's rows pour in.

The planner works from what ANALYZE last saw, and autovacuum runs ANALYZE a minute or more
after a table changed. During a shop's first backfill the statistics do not know the shop:
the planner expects a row or two where there are thousands, rates the unique key as no
better than any other index that starts with ``shop_id``, and may look each platform id
up through the latter, reading every row the shop already has, for every id of a batch.
So the batch writer runs ANALYZE itself each time it has written, for a shop, twice as
many rows as when it last did: about a dozen times for a million orders, each a sample of
at most 30,000 rows. SQLite's planner does not need it.
"""

from __future__ import annotations

import threading

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.models import Shop

FIRST_AFTER = 1_000  # rows; below this a misplanned lookup costs next to nothing
TABLES = "orders, order_lines, customers"

_lock = threading.Lock()
# Per shop, by its key (ids repeat across databases; keys do not).
_written: dict[str, int] = {}  # rows this process wrote
_next: dict[str, int] = {}  # the count at which the next ANALYZE is due


def note_written(session: Session, shop: Shop, rows: int) -> bool:
    """Count rows written for a shop; ANALYZE the mirror's tables when due. True if it did."""
    if session.get_bind().dialect.name != "postgresql" or not rows:
        return False
    with _lock:
        written = _written[shop.key] = _written.get(shop.key, 0) + rows
        due = written >= _next.get(shop.key, FIRST_AFTER)
        if due:
            _next[shop.key] = 2 * written
    if due:
        session.execute(text(f"ANALYZE {TABLES}"))
    return due
