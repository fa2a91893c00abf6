"""Tables of a tenant database: users, sessions, participants, invitations, outbox."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.types import UtcDateTime

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("capabilities", sa.JSON(), nullable=True),
    sa.Column("status", sa.String(12), nullable=False, server_default="active"),
    sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("locked_until", UtcDateTime(), nullable=True),
    sa.Index("ix_users_created_at_id", "created_at", "id"),
)

assistance_sessions = sa.Table(
    "assistance_sessions",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("host_id", sa.Uuid(), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("reference", sa.String(200), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("video_room_id", sa.String(255), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("callee_kind", sa.String(10), nullable=True),
    sa.Column("callee_id", sa.Uuid(), nullable=True),
    sa.Column("callee_user_id", sa.Uuid(), sa.ForeignKey("users.id"), nullable=True),
    sa.Column("ring_deadline", UtcDateTime(), nullable=True),
    sa.Column("last_activity_at", UtcDateTime(), nullable=True),
    sa.Column("ended_at", UtcDateTime(), nullable=True),
    sa.Column("tags", sa.JSON(), nullable=False),
    sa.Column("notes", sa.Text(), nullable=False),
    sa.Column("outcome", sa.String(500), nullable=False),
    sa.Column("room_recording_mode", sa.String(20), nullable=True),
    sa.Index("ix_assistance_sessions_created_at_id", "created_at", "id"),
    sa.Index("ix_assistance_sessions_state_ring_deadline", "state", "ring_deadline"),
    sa.Index("ix_assistance_sessions_state_last_activity_at", "state", "last_activity_at"),
)

participants = sa.Table(
    "participants",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column(
        "session_id", sa.Uuid(), sa.ForeignKey("assistance_sessions.id"), nullable=False, index=True
    ),
    sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id"), nullable=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("joined_at", UtcDateTime(), nullable=False),
    sa.Column("left_at", UtcDateTime(), nullable=True),
    sa.Column("invitation_id", sa.Uuid(), nullable=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Index("ix_participants_joined_at_left_at", "joined_at", "left_at"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("kind", sa.String(50), nullable=False),
    sa.Column("channel", sa.String(10), nullable=False),
    sa.Column("recipient", sa.String(254), nullable=False),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("max_attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
    sa.Column("lease_expires_at", UtcDateTime(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("sent_at", UtcDateTime(), nullable=True),
    sa.Column("fallbacks", sa.JSON(), nullable=True),
    sa.Column("session_id", sa.Uuid(), nullable=True),
    sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    sa.Index("ix_outbox_session_id_created_at", "session_id", "created_at", "id"),
    sa.Index("ix_outbox_recipient_created_at", "recipient", "created_at", "id"),
)

invitations = sa.Table(
    "invitations",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column(
        "session_id", sa.Uuid(), sa.ForeignKey("assistance_sessions.id"), nullable=False, index=True
    ),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("locale", sa.String(5), nullable=False),
    sa.Column("invited_by", sa.Uuid(), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("notification_id", sa.Uuid(), sa.ForeignKey("outbox.id"), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("phone", sa.String(16), nullable=True),
    sa.Column("token_hash", sa.String(64), nullable=True),
    sa.Column("expires_at", UtcDateTime(), nullable=True),
    sa.Column("used_at", UtcDateTime(), nullable=True),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
    sa.Index("ix_invitations_token_hash", "token_hash", unique=True),
)

call_preferences = sa.Table(
    "call_preferences",
    metadata,
    sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("missed_call_channel", sa.String(10), nullable=False),
    sa.Column("phone", sa.String(16), nullable=True),
    sa.Column("push_token", sa.String(4096), nullable=True),
    sa.Column("locale", sa.String(5), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

template_overrides = sa.Table(
    "template_overrides",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("kind", sa.String(50), nullable=False),
    sa.Column("channel", sa.String(10), nullable=False),
    sa.Column("locale", sa.String(5), nullable=False),
    sa.Column("subject", sa.String(200), nullable=True),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("html", sa.Text(), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("updated_by", sa.Uuid(), nullable=False),
    sa.UniqueConstraint("kind", "channel", "locale", name="uq_template_overrides_key"),
    sa.Index("ix_template_overrides_created_at_id", "created_at", "id"),
)

notification_sender = sa.Table(
    "notification_sender",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("mail_from_name", sa.String(100), nullable=True),
    sa.Column("mail_reply_to", sa.String(254), nullable=True),
    sa.Column("sms_sender_id", sa.String(15), nullable=True),
)

one_time_tokens = sa.Table(
    "one_time_tokens",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("purpose", sa.String(20), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("used_at", UtcDateTime(), nullable=True),
)

refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("family_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("rotated_at", UtcDateTime(), nullable=True),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scopes", sa.JSON(), nullable=False),
    sa.Column("created_by", sa.Uuid(), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=True),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
    sa.Column("last_used_at", UtcDateTime(), nullable=True),
    sa.Index("ix_api_keys_created_at_id", "created_at", "id"),
)


devices = sa.Table(
    "devices",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("serial", sa.String(100), nullable=False, unique=True),
    sa.Column("model", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("display_name", sa.String(100), nullable=False),
    sa.Column("owner_id", sa.Uuid(), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("credential_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("paired_at", UtcDateTime(), nullable=False),
    sa.Column("last_seen_at", UtcDateTime(), nullable=True),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
    sa.Index("ix_devices_created_at_id", "created_at", "id"),
    sa.Index("ix_devices_owner_id_created_at", "owner_id", "created_at", "id"),
)

device_authorizations = sa.Table(
    "device_authorizations",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("device_code_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_code", sa.String(8), nullable=False),
    sa.Column("serial", sa.String(100), nullable=False),
    sa.Column("model", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("interval_seconds", sa.Integer(), nullable=False),
    sa.Column("last_polled_at", UtcDateTime(), nullable=True),
    sa.Column("decided_by", sa.Uuid(), sa.ForeignKey("users.id"), nullable=True),
    sa.Column("display_name", sa.String(100), nullable=True),
    sa.Column("device_id", sa.Uuid(), nullable=True),
    sa.Index("ix_device_authorizations_user_code_status", "user_code", "status"),
)

files = sa.Table(
    "files",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("content_type", sa.String(255), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("uploader_id", sa.Uuid(), nullable=True),
    sa.Column("session_id", sa.Uuid(), sa.ForeignKey("assistance_sessions.id"), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=True),
    sa.Index("ix_files_created_at_id", "created_at", "id"),
    sa.Index("ix_files_session_id_created_at_id", "session_id", "created_at", "id"),
    sa.Index("ix_files_status_expires_at", "status", "expires_at"),
)

recordings = sa.Table(
    "recordings",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("session_id", sa.Uuid(), sa.ForeignKey("assistance_sessions.id"), nullable=False),
    sa.Column("archive_id", sa.String(255), nullable=False, unique=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("started_by", sa.Uuid(), sa.ForeignKey("users.id"), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("size_bytes", sa.BigInteger(), nullable=False),
    sa.Column("duration_seconds", sa.Integer(), nullable=False),
    sa.Column("download_url", sa.Text(), nullable=True),
    sa.Column("copy_state", sa.String(20), nullable=False),
    sa.Column("copy_attempts", sa.Integer(), nullable=False),
    sa.Column("next_copy_at", UtcDateTime(), nullable=True),
    sa.Column("copy_error", sa.String(500), nullable=True),
    sa.Column("blob_key", sa.String(1024), nullable=True),
    sa.Column("stored_at", UtcDateTime(), nullable=True),
    sa.Column("file_id", sa.Uuid(), nullable=True),
    sa.Index("ix_recordings_session_id_created_at", "session_id", "created_at"),
    sa.Index("ix_recordings_copy_state_next_copy_at", "copy_state", "next_copy_at"),
)

recording_settings = sa.Table(
    "recording_settings",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("mode", sa.String(20), nullable=False),
)

session_meters = sa.Table(
    "session_meters",
    metadata,
    sa.Column("session_id", sa.Uuid(), sa.ForeignKey("assistance_sessions.id"), primary_key=True),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("settled_us", sa.BigInteger(), nullable=False),
    sa.Column("present", sa.Integer(), nullable=False),
    sa.Column("since_us", sa.BigInteger(), nullable=True),
)

usage_months = sa.Table(
    "usage_months",
    metadata,
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("settled_minutes", sa.BigInteger(), nullable=False),
)

audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("occurred_at", UtcDateTime(), nullable=False),
    sa.Column("actor_kind", sa.String(10), nullable=False),
    sa.Column("actor_id", sa.Uuid(), nullable=True),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("target_type", sa.String(50), nullable=True),
    sa.Column("target_id", sa.String(100), nullable=True),
    sa.Column("ip", sa.String(45), nullable=True),
    sa.Column("request_id", sa.String(128), nullable=True),
    sa.Column("details", sa.JSON(), nullable=False),
    sa.Index("ix_audit_events_occurred_at_id", "occurred_at", "id"),
    sa.Index("ix_audit_events_actor_id_occurred_at", "actor_id", "occurred_at"),
    sa.Index("ix_audit_events_target_id_occurred_at", "target_id", "occurred_at"),
)

retention_policy = sa.Table(
    "retention_policy",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("ended_sessions_days", sa.Integer(), nullable=True),
    sa.Column("files_days", sa.Integer(), nullable=True),
    sa.Column("audit_events_days", sa.Integer(), nullable=True),
    sa.Column("outbox_days", sa.Integer(), nullable=True),
)

webhook_endpoints = sa.Table(
    "webhook_endpoints",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("description", sa.String(500), nullable=False),
    sa.Column("event_types", sa.JSON(), nullable=False),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("secret", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Index("ix_webhook_endpoints_created_at_id", "created_at", "id"),
)
