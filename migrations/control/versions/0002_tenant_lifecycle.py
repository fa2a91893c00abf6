"""Tenant placement, plan limits, provisioning state, soft deletion and the audit trail.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_COLUMNS = [
    ("placement", sa.String(20), "shared"),
    ("database_url", sa.Text(), None),
    ("max_users", sa.Integer(), "25"),
    ("max_concurrent_sessions", sa.Integer(), "5"),
    ("monthly_session_minutes", sa.Integer(), "6000"),
    ("storage_quota_bytes", sa.BigInteger(), "10737418240"),
    ("provisioning_error", sa.Text(), None),
    ("pending_admin", sa.JSON(), None),
    ("deleted_at", sa.DateTime(timezone=True), None),
    ("purge_after", sa.DateTime(timezone=True), None),
]


def upgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        for name, kind, default in _COLUMNS:
            batch.add_column(
                sa.Column(name, kind, nullable=default is None, server_default=default)
            )
        batch.create_index("ix_tenants_status_purge_after", ["status", "purge_after"])
    op.create_table(
        "tenant_events",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(63), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_tenant_events_tenant_id_created_at", "tenant_events", ["tenant_id", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_tenant_events_tenant_id_created_at", table_name="tenant_events")
    op.drop_table("tenant_events")
    with op.batch_alter_table("tenants") as batch:
        batch.drop_index("ix_tenants_status_purge_after")
        for name, _kind, _default in reversed(_COLUMNS):
            batch.drop_column(name)
