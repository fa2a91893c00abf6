"""Audit log and retention policy.

``audit_events`` holds who did what in the tenant (actor kind and id, a dotted action,
the target, request address and id, small JSON details without secrets), indexed for the
admin's filters (time, actor, target). ``retention_policy`` is a single row: how many
days ended sessions, files, audit events and finished notifications are kept (null:
forever).

Revision ID: 0010_audit_log
Revises: 0009_recordings
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_audit_log"
down_revision = "0009_recordings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(10), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target_type", sa.String(50), nullable=True),
        sa.Column("target_id", sa.String(100), nullable=True),
        sa.Column("ip", sa.String(45), nullable=True),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_audit_events_occurred_at_id", "audit_events", ["occurred_at", "id"])
    op.create_index(
        "ix_audit_events_actor_id_occurred_at", "audit_events", ["actor_id", "occurred_at"]
    )
    op.create_index(
        "ix_audit_events_target_id_occurred_at", "audit_events", ["target_id", "occurred_at"]
    )
    op.create_table(
        "retention_policy",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("ended_sessions_days", sa.Integer(), nullable=True),
        sa.Column("files_days", sa.Integer(), nullable=True),
        sa.Column("audit_events_days", sa.Integer(), nullable=True),
        sa.Column("outbox_days", sa.Integer(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("retention_policy")
    op.drop_index("ix_audit_events_target_id_occurred_at", table_name="audit_events")
    op.drop_index("ix_audit_events_actor_id_occurred_at", table_name="audit_events")
    op.drop_index("ix_audit_events_occurred_at_id", table_name="audit_events")
    op.drop_table("audit_events")
