"""Devices of a tenant and their pairing requests (RFC 8628 device authorization).

Revision ID: 0005_devices
Revises: 0004_identity
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_devices"
down_revision = "0004_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("serial", sa.String(100), nullable=False, unique=True),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("owner_id", sa.Uuid(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("credential_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_devices_created_at_id", "devices", ["created_at", "id"])
    op.create_index("ix_devices_owner_id_created_at", "devices", ["owner_id", "created_at", "id"])
    op.create_table(
        "device_authorizations",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("device_code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_code", sa.String(8), nullable=False),
        sa.Column("serial", sa.String(100), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Uuid(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("display_name", sa.String(100), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
    )
    op.create_index(
        "ix_device_authorizations_user_code_status",
        "device_authorizations",
        ["user_code", "status"],
    )


def downgrade() -> None:
    op.drop_index("ix_device_authorizations_user_code_status", table_name="device_authorizations")
    op.drop_table("device_authorizations")
    op.drop_index("ix_devices_owner_id_created_at", table_name="devices")
    op.drop_index("ix_devices_created_at_id", table_name="devices")
    op.drop_table("devices")
