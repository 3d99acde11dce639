"""drop indexes another index of the same table already serves

Every write to a mirrored order, line or customer kept these up to date for nothing:
each table has another index that starts with the same column (for orders and customers
the unique (shop_id, platform_id); for lines the unique (order_id, platform_id)), which
serves lookups by that column and the cascades alike.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 10:55:27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REDUNDANT = (
    ("ix_customers_shop_id", "customers", "shop_id"),
    ("ix_order_lines_order_id", "order_lines", "order_id"),
    ("ix_orders_shop_id", "orders", "shop_id"),
)


def upgrade() -> None:
    for name, table, _column in REDUNDANT:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, column in REDUNDANT:
        op.create_index(name, table, [column], unique=False)
