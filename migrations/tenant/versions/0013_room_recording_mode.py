"""The recording mode a session's video room was created in.

An archive the provider starts by itself (recording mode ``always``) is accepted from the
room's mode, not from the tenant's current one, which an admin may have changed since the
room was created. Sessions created before this revision have none: their archives are
judged by the tenant's current mode, as they were.

Revision ID: 0013_room_recording_mode
Revises: 0012_usage_totals
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_room_recording_mode"
down_revision = "0012_usage_totals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assistance_sessions") as batch:
        batch.add_column(sa.Column("room_recording_mode", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assistance_sessions") as batch:
        batch.drop_column("room_recording_mode")
