"""platform is a registered connector's name, not a closed list

``shops.platform`` and ``inbox_deliveries.platform`` held one of two values under a CHECK
constraint; they now hold the name a connector class is registered under
(``connectors.CONNECTORS``), so a platform is added in its own folder.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite rebuilds the table: keep the AUTOINCREMENT of a table whose ids name jobs.
TABLES = {"shops": {}, "inbox_deliveries": {"sqlite_autoincrement": True}}
BUILT_IN = sa.Enum(
    "shopify", "woocommerce", name="platform", native_enum=False, create_constraint=True, length=32
)


def upgrade() -> None:
    for table, kwargs in TABLES.items():
        with op.batch_alter_table(table, table_kwargs=kwargs) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_platform"), type_="check")
            batch_op.alter_column(
                "platform", existing_type=sa.String(length=32), type_=sa.String(length=32)
            )


def downgrade() -> None:
    for table, kwargs in TABLES.items():
        with op.batch_alter_table(table, table_kwargs=kwargs) as batch_op:
            batch_op.alter_column("platform", existing_type=sa.String(length=32), type_=BUILT_IN)
