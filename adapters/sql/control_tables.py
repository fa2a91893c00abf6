"""Tables of the control database: tenant catalog, audit trail, outbox dispatch index,
operator credentials, idempotency keys of the API."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.types import UtcDateTime

metadata = sa.MetaData()

tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("slug", sa.String(63), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("placement", sa.String(20), nullable=False, server_default="shared"),
    sa.Column("database_url", sa.Text(), nullable=True),
    sa.Column("max_users", sa.Integer(), nullable=False, server_default="25"),
    sa.Column("max_concurrent_sessions", sa.Integer(), nullable=False, server_default="5"),
    sa.Column("monthly_session_minutes", sa.Integer(), nullable=False, server_default="6000"),
    sa.Column("storage_quota_bytes", sa.BigInteger(), nullable=False, server_default="10737418240"),
    sa.Column("max_file_bytes", sa.BigInteger(), nullable=False, server_default="2147483648"),
    sa.Column("provisioning_error", sa.Text(), nullable=True),
    sa.Column("pending_admin", sa.JSON(), nullable=True),
    sa.Column("deleted_at", UtcDateTime(), nullable=True),
    sa.Column("purge_after", UtcDateTime(), nullable=True),
    sa.Column("allowed_origins", sa.JSON(), nullable=False, server_default="[]"),
    sa.Index("ix_tenants_created_at_id", "created_at", "id"),
    sa.Index("ix_tenants_status_purge_after", "status", "purge_after"),
)

tenant_events = sa.Table(
    "tenant_events",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("tenant_id", sa.Uuid(), nullable=False),
    sa.Column("slug", sa.String(63), nullable=False),
    sa.Column("action", sa.String(50), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("detail", sa.JSON(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Index("ix_tenant_events_tenant_id_created_at", "tenant_id", "created_at", "id"),
)

outbox_dispatch = sa.Table(
    "outbox_dispatch",
    metadata,
    sa.Column("tenant_id", sa.Uuid(), primary_key=True),
    sa.Column("due_at", UtcDateTime(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Index("ix_outbox_dispatch_due_at", "due_at"),
)

rate_limit_slots = sa.Table(
    "rate_limit_slots",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("next_slot", UtcDateTime(), nullable=False),
)

operator_keys = sa.Table(
    "operator_keys",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("scope", sa.String(200), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("started_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("status", sa.Integer(), nullable=True),
    sa.Column("headers", sa.JSON(), nullable=True),
    sa.Column("body", sa.LargeBinary(), nullable=True),
    sa.Index("ix_idempotency_keys_expires_at", "expires_at"),
)
