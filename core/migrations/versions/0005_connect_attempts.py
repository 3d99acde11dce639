"""connect attempts: a WooCommerce connect bound to the user and session that started it

The store echoes the connect token in its key callback and in the merchant's return; the
row makes the token single-use and binds it to one user in one browser session, and keeps
the posted keys (encrypted) until that user is back.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "connect_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("store_url", sa.String(length=255), nullable=False),
        sa.Column("expires_at", core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("keys", core.db.types.EncryptedJSON(), nullable=True),
        sa.Column("keys_received_at", core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("used_at", core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_connect_attempts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connect_attempts")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_connect_attempts_token_hash")),
    )
    with op.batch_alter_table("connect_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_connect_attempts_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_connect_attempts_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("connect_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connect_attempts_user_id"))
        batch_op.drop_index(batch_op.f("ix_connect_attempts_expires_at"))
    op.drop_table("connect_attempts")
