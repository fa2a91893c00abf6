"""Request and response bodies of the tenant endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from apps.api.schemas import RequestBody, ResponseBody
from core.tenants.model import Tenant


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


class TenantOut(ResponseBody):
    id: UUID
    slug: str
    display_name: str
    status: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, tenant: Tenant) -> TenantOut:
        return cls(
            id=tenant.id,
            slug=tenant.slug,
            display_name=tenant.display_name,
            status=tenant.status.value,
            created_at=tenant.created_at,
            updated_at=tenant.updated_at,
        )


class CreatedTenantOut(ResponseBody):
    tenant: TenantOut
    admin_id: UUID


class TenantPage(ResponseBody):
    items: list[TenantOut]
    next_cursor: str | None
