"""return_requests: the risk score and its reasons; indexes for analytics by date

Branch ``analytics`` (issue 18). A return requested from now on carries its 0–100 score and
one sentence per factor (core/services/risk.py); earlier ones have no score (NULL) and no
reasons. Analytics count a shop's returns by ``requested_at`` and its sales by
``ordered_at``, which no index served.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): SQLite adds a column in place, keeping AUTOINCREMENT.
    op.add_column("return_requests", sa.Column("risk_score", sa.Integer(), nullable=True))
    op.add_column(
        "return_requests",
        sa.Column(
            "risk_reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
    )
    op.create_index(
        "ix_return_requests_shop_requested", "return_requests", ["shop_id", "requested_at"]
    )
    op.create_index("ix_orders_shop_ordered", "orders", ["shop_id", "ordered_at"])


def downgrade() -> None:
    op.drop_index("ix_orders_shop_ordered", table_name="orders")
    op.drop_index("ix_return_requests_shop_requested", table_name="return_requests")
    with op.batch_alter_table(
        "return_requests", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("risk_reasons")
        batch_op.drop_column("risk_score")
