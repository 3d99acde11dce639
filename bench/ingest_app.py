"""The WSGI app the ingest benchmark serves: Reshelf, plus two endpoints to compare with.

- ``/bench/bare`` answers 200 and does nothing: the server's own cost.
- ``/bench/floor`` stores the body with one raw INSERT on a connection kept for the
  process, and answers 200: what any acknowledgement that is durable before its 200 must
  pay at least, with no verification, no ORM and no queue.
"""

from __future__ import annotations

import os
import threading
import uuid

import psycopg
from flask import request

from webapp import create_app
from webapp.extensions import csrf

app = create_app()
_local = threading.local()


def bare() -> tuple[str, int]:
    """Answer 200 and do nothing: the server's own cost, the benchmark's baseline."""
    return "", 200


def floor() -> tuple[str, int]:
    """Store the body with one INSERT and answer 200: the least a durable ack costs."""
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = _local.connection = psycopg.connect(
            os.environ["DATABASE_URL"], autocommit=True
        )
    connection.execute(
        "INSERT INTO inbox_deliveries (shop_id, platform, topic, dedupe_key, headers, body,"
        " status, attempts, received_at) VALUES (1, 'shopify', 'orders/create', %s, '{}', %s,"
        " 'received', 0, now()) ON CONFLICT DO NOTHING RETURNING id",
        (f"floor-{uuid.uuid4()}", request.get_data()),
    ).fetchone()
    return "", 200


for view in (bare, floor):
    app.add_url_rule(f"/bench/{view.__name__}", view_func=view, methods=["POST"])
    csrf.exempt(view)
