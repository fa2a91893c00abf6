"""Recordings: the video provider's archives of a session and the file each became.

Each recording keeps the provider's archive id and status, the download URL the
provider's callback gave, and the state of its copy into the tenant's directory (a
pending copy is retried by the worker at ``next_copy_at``). ``recording_settings`` holds
the tenant's recording mode in a single row (none: on request).

Revision ID: 0009_recordings
Revises: 0008_files
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_recordings"
down_revision = "0008_files"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recordings",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("session_id", sa.Uuid(), sa.ForeignKey("assistance_sessions.id"), nullable=False),
        sa.Column("archive_id", sa.String(255), nullable=False, unique=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_by", sa.Uuid(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("download_url", sa.Text(), nullable=True),
        sa.Column("copy_state", sa.String(10), nullable=False),
        sa.Column("copy_attempts", sa.Integer(), nullable=False),
        sa.Column("next_copy_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("copy_error", sa.String(500), nullable=True),
        sa.Column("blob_key", sa.String(1024), nullable=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("file_id", sa.Uuid(), nullable=True),
    )
    op.create_index(
        "ix_recordings_session_id_created_at", "recordings", ["session_id", "created_at"]
    )
    op.create_index(
        "ix_recordings_copy_state_next_copy_at", "recordings", ["copy_state", "next_copy_at"]
    )
    op.create_table(
        "recording_settings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("mode", sa.String(20), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("recording_settings")
    op.drop_index("ix_recordings_copy_state_next_copy_at", table_name="recordings")
    op.drop_index("ix_recordings_session_id_created_at", table_name="recordings")
    op.drop_table("recordings")
