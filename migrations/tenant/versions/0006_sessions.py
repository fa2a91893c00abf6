"""Calls, session details, guest links and call preferences.

Sessions learn whom they ring and until when, when they last saw activity and ended,
and the host's tags, notes and outcome; participants their guest invitation and name;
invitations a hashed single-use link with its expiry, use and revocation; each user
how missed calls reach them.

Revision ID: 0006_sessions
Revises: 0005_devices
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_sessions"
down_revision = "0005_devices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assistance_sessions") as batch:
        batch.add_column(sa.Column("callee_kind", sa.String(10), nullable=True))
        batch.add_column(sa.Column("callee_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("callee_user_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("ring_deadline", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("tags", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(sa.Column("notes", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("outcome", sa.String(500), nullable=False, server_default=""))
        batch.create_foreign_key(
            "fk_assistance_sessions_callee_user_id_users", "users", ["callee_user_id"], ["id"]
        )
        batch.create_index("ix_assistance_sessions_state_ring_deadline", ["state", "ring_deadline"])
        batch.create_index(
            "ix_assistance_sessions_state_last_activity_at", ["state", "last_activity_at"]
        )
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("invitation_id", sa.Uuid(), nullable=True))
        batch.add_column(
            sa.Column("display_name", sa.String(200), nullable=False, server_default="")
        )
        batch.create_index("ix_participants_joined_at_left_at", ["joined_at", "left_at"])
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("phone", sa.String(16), nullable=True))
        batch.add_column(sa.Column("token_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("used_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_invitations_token_hash", ["token_hash"], unique=True)
    op.create_table(
        "call_preferences",
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("missed_call_channel", sa.String(10), nullable=False),
        sa.Column("phone", sa.String(16), nullable=True),
        sa.Column("push_token", sa.String(4096), nullable=True),
        sa.Column("locale", sa.String(5), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("call_preferences")
    with op.batch_alter_table("invitations") as batch:
        batch.drop_index("ix_invitations_token_hash")
        for column in ("revoked_at", "used_at", "expires_at", "token_hash", "phone"):
            batch.drop_column(column)
    with op.batch_alter_table("participants") as batch:
        batch.drop_index("ix_participants_joined_at_left_at")
        batch.drop_column("display_name")
        batch.drop_column("invitation_id")
    with op.batch_alter_table("assistance_sessions") as batch:
        batch.drop_index("ix_assistance_sessions_state_last_activity_at")
        batch.drop_index("ix_assistance_sessions_state_ring_deadline")
        batch.drop_constraint("fk_assistance_sessions_callee_user_id_users", type_="foreignkey")
        for column in (
            "outcome",
            "notes",
            "tags",
            "ended_at",
            "last_activity_at",
            "ring_deadline",
            "callee_user_id",
            "callee_id",
            "callee_kind",
        ):
            batch.drop_column(column)
