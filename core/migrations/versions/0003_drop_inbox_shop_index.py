"""drop the inbox's index on shop_id, which its unique (shop_id, dedupe_key) serves

Every webhook acknowledgement inserts a delivery, and kept this index up to date for
nothing: the unique key starts with the same column, and serves the shop's cascade.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 13:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_inbox_deliveries_shop_id", table_name="inbox_deliveries")


def downgrade() -> None:
    op.create_index("ix_inbox_deliveries_shop_id", "inbox_deliveries", ["shop_id"], unique=False)
