"""Write a batch of mirrored orders, with their lines and customers, in a few statements.

Platform-neutral: connectors map their payloads to the records here and call
``upsert_orders``. On PostgreSQL a batch's new rows are inserted first, one statement per
table (``fresh``). The rest, and every row on SQLite, go through one ``INSERT … ON
CONFLICT … DO UPDATE`` per table run as executemany without RETURNING (psycopg 3
pipelines it as one prepared statement; with RETURNING SQLAlchemy builds huge multi-row
statements that psycopg parses afresh each time). Then ``by_platform_id`` maps platform
ids to row ids with one probe of the unique key per id. An update older than the stored
one changes nothing: webhooks and pages arrive twice and out of order.
"""

from core.mirror_batch.lookup import by_platform_id
from core.mirror_batch.records import CustomerRecord, LineRecord, OrderRecord
from core.mirror_batch.write import BatchResult, upsert_customers, upsert_orders

__all__ = [
    "BatchResult",
    "by_platform_id",
    "CustomerRecord",
    "LineRecord",
    "OrderRecord",
    "upsert_customers",
    "upsert_orders",
]
