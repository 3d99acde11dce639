"""users: a session version that revokes earlier sessions, and the demo mark

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # The demo admin of an earlier ``reshelf demo`` (demo.shops.DEMO_ADMIN) is one already.
    op.execute(
        sa.text("UPDATE users SET is_demo = :demo WHERE email = :email").bindparams(
            demo=True, email="admin@demo.reshelf.test"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("is_demo")
        batch_op.drop_column("session_version")
