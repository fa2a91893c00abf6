"""Plans set the largest file one upload may hold (2 GiB unless changed).

Revision ID: 0006_plan_file_limit
Revises: 0005_idempotency
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_plan_file_limit"
down_revision = "0005_idempotency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(
            sa.Column(
                "max_file_bytes", sa.BigInteger(), nullable=False, server_default="2147483648"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("max_file_bytes")
