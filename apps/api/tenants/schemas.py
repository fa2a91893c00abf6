"""Request and response bodies of the operator's tenant endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from apps.api.schemas import RequestBody, ResponseBody
from core.tenants.model import PlanLimits, Tenant, TenantEvent

Count = Annotated[int, msgspec.Meta(ge=0)]


class LimitsBody(RequestBody):
    """Plan limits; a limit left out keeps its current (or default) value."""

    max_users: Annotated[int, msgspec.Meta(examples=[50])] | None = None
    max_concurrent_sessions: Annotated[int, msgspec.Meta(examples=[10])] | None = None
    monthly_session_minutes: Annotated[int, msgspec.Meta(examples=[12000])] | None = None
    storage_quota_bytes: Annotated[int, msgspec.Meta(examples=[21474836480])] | None = None
    max_file_bytes: Annotated[int, msgspec.Meta(examples=[1073741824])] | None = None

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
            description="DNS label: the tenant is served at <slug>.<base domain>.",
            examples=["acme-industries"],
        ),
    ]
    display_name: Annotated[
        str, msgspec.Meta(min_length=1, max_length=200, examples=["ACME Industries"])
    ]
    admin_email: Annotated[str, msgspec.Meta(max_length=254, examples=["ops@acme.example"])]
    admin_password: Annotated[
        str,
        msgspec.Meta(min_length=1, max_length=256, description="At least 12 characters."),
    ]
    admin_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200, examples=["Ada Admin"])]
    limits: LimitsBody | None = None
    database_url: (
        Annotated[
            str,
            msgspec.Meta(
                max_length=2000,
                description=(
                    "Dedicated placement: the tenant's own database (created if missing, "
                    "then migrated). Left out: a database on the shared instance."
                ),
                examples=["postgresql+asyncpg://acme@db.acme.example:5432/passerelle"],
            ),
        ]
        | None
    ) = None


Origin = Annotated[str, msgspec.Meta(max_length=300, examples=["https://portal.acme.example"])]


class UpdateTenantBody(RequestBody):
    display_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
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
