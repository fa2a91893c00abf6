"""Outbound webhook endpoints, and the index that lists an endpoint's deliveries.

``webhook_endpoints`` holds each endpoint's URL, subscribed event types, enabled flag and
signing secret (kept as is, since it must sign; docs/webhooks.md says how it is protected).
Deliveries are outbox messages on the ``webhook`` channel whose recipient is the endpoint's
id; ``ix_outbox_recipient_created_at`` serves the endpoint's delivery log.

Revision ID: 0011_webhook_endpoints
Revises: 0010_audit_log
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_webhook_endpoints"
down_revision = "0010_audit_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_webhook_endpoints_created_at_id", "webhook_endpoints", ["created_at", "id"])
    op.create_index("ix_outbox_recipient_created_at", "outbox", ["recipient", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_recipient_created_at", table_name="outbox")
    op.drop_index("ix_webhook_endpoints_created_at_id", table_name="webhook_endpoints")
    op.drop_table("webhook_endpoints")
