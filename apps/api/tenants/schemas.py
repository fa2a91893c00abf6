"""Request and response bodies of the operator's tenant endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from apps.api.fields import Email, NewPassword, PersonName, format_rule
from apps.api.schemas import RequestBody, ResponseBody
from core.tenants.model import (
    DATABASE_URL_PATTERN,
    LIMIT_RANGES,
    POSTGRES_URL_PARAMETERS,
    SLUG_PATTERN,
    PlanLimits,
    Tenant,
    TenantEvent,
)

Count = Annotated[int, msgspec.Meta(ge=0)]


def _range(name: str, example: int) -> msgspec.Meta:
    low, high = LIMIT_RANGES[name]
    return msgspec.Meta(ge=low, le=high, examples=[example])


class LimitsBody(RequestBody):
    """Plan limits; a limit left out keeps its current (or default) value."""

    max_users: Annotated[int, _range("max_users", 50)] | None = None
    max_concurrent_sessions: Annotated[int, _range("max_concurrent_sessions", 10)] | None = None
    monthly_session_minutes: Annotated[int, _range("monthly_session_minutes", 12000)] | None = None
    storage_quota_bytes: Annotated[int, _range("storage_quota_bytes", 21474836480)] | None = None
    max_file_bytes: Annotated[int, _range("max_file_bytes", 1073741824)] | None = None

    def changes(self) -> dict[str, int]:
        return {
            name: value
            for name in self.__struct_fields__
            if (value := getattr(self, name)) is not None
        }


class CreateTenantBody(RequestBody):
    slug: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=63,
            pattern=format_rule(
                SLUG_PATTERN,
                "invalid_slug",
                "must be a DNS label (1-63 lowercase letters, digits and hyphens, starting and "
                "ending with a letter or digit) and not a reserved name (www, api, admin, ...)",
            ),
            description="DNS label: the tenant is served at <slug>.<base domain>.",
            examples=["acme-industries"],
        ),
    ]
    display_name: PersonName
    admin_email: Email
    admin_password: NewPassword
    admin_name: PersonName
    limits: LimitsBody | None = None
    database_url: (
        Annotated[
            str,
            msgspec.Meta(
                max_length=2000,
                pattern=format_rule(
                    DATABASE_URL_PATTERN,
                    "invalid_database_url",
                    "must be a postgresql+asyncpg:// URL or sqlite+aiosqlite:/// and a path "
                    "relative to the data directory",
                ),
                description=(
                    "Dedicated placement: the tenant's own database (created if missing, "
                    "then migrated). PostgreSQL: postgresql+asyncpg://[user[:password]@]"
                    "host[:port]/database, one host (a DNS name or an IP address, IPv6 in "
                    "brackets), a port from 1 to 65535, '@' in the credentials escaped as "
                    f"%40, no parameters but {' and '.join(POSTGRES_URL_PARAMETERS)} "
                    "(whole numbers); anything else is refused with 422 "
                    "`invalid_database_url` before the tenant is written. A SQLite path is "
                    "relative to the deployment's data directory. Left out: a database on "
                    "the shared instance."
                ),
                examples=["postgresql+asyncpg://acme@db.acme.example:5432/passerelle"],
            ),
        ]
        | None
    ) = None


_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = "(?:0?[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
Origin = Annotated[
    str,
    msgspec.Meta(
        max_length=300,
        pattern=format_rule(
            f"^[Hh][Tt][Tt][Pp][Ss]?://(?:{_LABEL}\\.)*{_LABEL}(?::{_PORT})?$",
            "invalid_origin",
            "must be an origin: http:// or https://, a host name and an optional port",
        ),
        examples=["https://portal.acme.example"],
    ),
]


class UpdateTenantBody(RequestBody):
    display_name: PersonName | None = None
    limits: LimitsBody | None = None
    allowed_origins: (
        Annotated[
            list[Origin],
            msgspec.Meta(
                max_length=50,
                description=(
                    "Replaces the browser origins allowed to call the tenant's API (CORS): "
                    "scheme://host[:port], exact match, no path and no wildcard. [] allows none."
                ),
            ),
        ]
        | None
    ) = None


class LimitsOut(ResponseBody):
    max_users: int
    max_concurrent_sessions: int
    monthly_session_minutes: int
    storage_quota_bytes: int
    max_file_bytes: int

    @classmethod
    def of(cls, limits: PlanLimits) -> LimitsOut:
        return cls(
            max_users=limits.max_users,
            max_concurrent_sessions=limits.max_concurrent_sessions,
            monthly_session_minutes=limits.monthly_session_minutes,
            storage_quota_bytes=limits.storage_quota_bytes,
            max_file_bytes=limits.max_file_bytes,
        )


class TenantOut(ResponseBody):
    id: UUID
    slug: str
    display_name: str
    status: str
    placement: str
    limits: LimitsOut
    provisioning_error: str | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    purge_after: datetime | None
    allowed_origins: list[str]

    @classmethod
    def of(cls, tenant: Tenant) -> TenantOut:
        return cls(
            id=tenant.id,
            slug=tenant.slug,
            display_name=tenant.display_name,
            status=tenant.status.value,
            placement=tenant.placement.value,
            limits=LimitsOut.of(tenant.limits),
            provisioning_error=tenant.provisioning_error,
            created_at=tenant.created_at,
            updated_at=tenant.updated_at,
            deleted_at=tenant.deleted_at,
            purge_after=tenant.purge_after,
            allowed_origins=list(tenant.allowed_origins),
        )


class CreatedTenantOut(ResponseBody):
    tenant: TenantOut
    admin_id: UUID


class TenantPage(ResponseBody):
    items: list[TenantOut]
    next_cursor: str | None


class TenantEventOut(ResponseBody):
    id: UUID
    action: str
    actor: str
    created_at: datetime
    detail: dict[str, str]

    @classmethod
    def of(cls, event: TenantEvent) -> TenantEventOut:
        return cls(
            id=event.id,
            action=event.action,
            actor=event.actor,
            created_at=event.created_at,
            detail=event.detail,
        )


class TenantEventPage(ResponseBody):
    items: list[TenantEventOut]
    next_cursor: str | None
