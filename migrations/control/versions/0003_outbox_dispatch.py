"""The outbox dispatch index: which tenants have messages due, and when.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_dispatch",
        sa.Column("tenant_id", sa.Uuid(), primary_key=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_outbox_dispatch_due_at", "outbox_dispatch", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_dispatch_due_at", table_name="outbox_dispatch")
    op.drop_table("outbox_dispatch")
