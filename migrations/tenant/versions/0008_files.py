"""Files: metadata of every blob a tenant stores, attached to sessions or not.

The blob's key derives from the row's id; the display name is data only. Pending rows are
signed uploads not confirmed yet, deleted once ``expires_at`` passes.

Revision ID: 0008_files
Revises: 0006_sessions
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_files"
down_revision = "0006_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "files",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("content_type", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("uploader_id", sa.Uuid(), nullable=True),
        sa.Column(
            "session_id",
            sa.Uuid(),
            sa.ForeignKey("assistance_sessions.id", name="fk_files_session_id_assistance_sessions"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_files_created_at_id", "files", ["created_at", "id"])
    op.create_index(
        "ix_files_session_id_created_at_id", "files", ["session_id", "created_at", "id"]
    )
    op.create_index("ix_files_status_expires_at", "files", ["status", "expires_at"])


def downgrade() -> None:
    op.drop_table("files")
