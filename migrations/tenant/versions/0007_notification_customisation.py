"""A tenant's own wording of its notifications, and the sender they come from.

Revision ID: 0007_notification_customisation
Revises: 0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_notification_customisation"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "template_overrides",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("locale", sa.String(5), nullable=False),
        sa.Column("subject", sa.String(200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=False),
        sa.UniqueConstraint("kind", "channel", "locale", name="uq_template_overrides_key"),
    )
    op.create_index(
        "ix_template_overrides_created_at_id", "template_overrides", ["created_at", "id"]
    )
    op.create_table(
        "notification_sender",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("mail_from_name", sa.String(100), nullable=True),
        sa.Column("mail_reply_to", sa.String(254), nullable=True),
        sa.Column("sms_sender_id", sa.String(15), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("notification_sender")
    op.drop_index("ix_template_overrides_created_at_id", table_name="template_overrides")
    op.drop_table("template_overrides")
