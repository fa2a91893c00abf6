"""The tenant catalog and its audit trail in the control database."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.control_tables import tenant_events, tenants
from adapters.sql.keyset import paginate, to_page
from core.identity.model import Role, User
from core.tenants.model import (
    Placement,
    PlanLimits,
    SlugTaken,
    Tenant,
    TenantEvent,
    TenantStatus,
)
from ports.pagination import Page, PageRequest


class SqlTenantCatalog:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, tenant: Tenant, pending_admin: User | None = None) -> None:
        values = {**_row(tenant), "pending_admin": _admin_json(pending_admin)}
        try:
            async with self._engine.begin() as connection:
                await connection.execute(tenants.insert().values(**values))
        except IntegrityError as exc:
            raise SlugTaken(f"slug '{tenant.slug}' is already taken", field="slug") from exc

    async def save(self, tenant: Tenant) -> None:
        values = _row(tenant)
        if tenant.status is not TenantStatus.PROVISIONING:
            values["pending_admin"] = None
        async with self._engine.begin() as connection:
            await connection.execute(
                tenants.update().where(tenants.c.id == tenant.id).values(**values)
            )

    async def get(self, tenant_id: UUID) -> Tenant | None:
        return await self._one(tenants.c.id == tenant_id)

    async def find_by_slug(self, slug: str) -> Tenant | None:
        return await self._one(tenants.c.slug == slug)

    async def pending_admin(self, tenant_id: UUID) -> User | None:
        query = sa.select(tenants.c.pending_admin).where(tenants.c.id == tenant_id)
        async with self._engine.connect() as connection:
            data = (await connection.execute(query)).scalar_one_or_none()
        return _admin_from_json(data) if data else None

    async def browse(
        self, page: PageRequest, *, status: TenantStatus | None = None
    ) -> Page[Tenant]:
        query = tenants.select()
        if status is not None:
            query = query.where(tenants.c.status == status.value)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(paginate(query, tenants, page))).all()
        return to_page(rows, page, _tenant)

    async def purge_due(self, now: datetime, limit: int) -> list[Tenant]:
        query = (
            tenants.select()
            .where(tenants.c.status == TenantStatus.DELETING.value, tenants.c.purge_after <= now)
            .order_by(tenants.c.purge_after)
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            return [_tenant(row) for row in (await connection.execute(query)).all()]

    async def record(self, event: TenantEvent) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                tenant_events.insert().values(
                    id=event.id,
                    tenant_id=event.tenant_id,
                    slug=event.slug,
                    action=event.action,
                    actor=event.actor,
                    detail=event.detail,
                    created_at=event.created_at,
                )
            )

    async def events(self, tenant_id: UUID, page: PageRequest) -> Page[TenantEvent]:
        query = tenant_events.select().where(tenant_events.c.tenant_id == tenant_id)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(paginate(query, tenant_events, page))).all()
        return to_page(rows, page, _event)

    async def _one(self, condition: sa.ColumnElement[bool]) -> Tenant | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(tenants.select().where(condition))).first()
        return _tenant(row) if row else None


def _row(tenant: Tenant) -> dict[str, Any]:
    return {
        "id": tenant.id,
        "slug": tenant.slug,
        "display_name": tenant.display_name,
        "status": tenant.status.value,
        "created_at": tenant.created_at,
        "updated_at": tenant.updated_at,
        "placement": tenant.placement.value,
        "database_url": tenant.database_url,
        "max_users": tenant.limits.max_users,
        "max_concurrent_sessions": tenant.limits.max_concurrent_sessions,
        "monthly_session_minutes": tenant.limits.monthly_session_minutes,
        "storage_quota_bytes": tenant.limits.storage_quota_bytes,
        "max_file_bytes": tenant.limits.max_file_bytes,
        "provisioning_error": tenant.provisioning_error,
        "deleted_at": tenant.deleted_at,
        "purge_after": tenant.purge_after,
        "allowed_origins": list(tenant.allowed_origins),
    }


def _tenant(row: Any) -> Tenant:
    return Tenant(
        id=row.id,
        slug=row.slug,
        display_name=row.display_name,
        status=TenantStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        placement=Placement(row.placement),
        database_url=row.database_url,
        limits=PlanLimits(
            max_users=row.max_users,
            max_concurrent_sessions=row.max_concurrent_sessions,
            monthly_session_minutes=row.monthly_session_minutes,
            storage_quota_bytes=row.storage_quota_bytes,
            max_file_bytes=row.max_file_bytes,
        ),
        provisioning_error=row.provisioning_error,
        deleted_at=row.deleted_at,
        purge_after=row.purge_after,
        allowed_origins=tuple(row.allowed_origins or ()),
    )


def _event(row: Any) -> TenantEvent:
    return TenantEvent(
        id=row.id,
        tenant_id=row.tenant_id,
        slug=row.slug,
        action=row.action,
        actor=row.actor,
        created_at=row.created_at,
        detail=dict(row.detail),
    )


def _admin_json(admin: User | None) -> dict[str, str] | None:
    if admin is None:
        return None
    return {
        "id": str(admin.id),
        "email": admin.email,
        "display_name": admin.display_name,
        "role": admin.role.value,
        "password_hash": admin.password_hash,
        "created_at": admin.created_at.isoformat(),
    }


def _admin_from_json(data: dict[str, str]) -> User:
    return User(
        id=UUID(data["id"]),
        email=data["email"],
        display_name=data["display_name"],
        role=Role(data["role"]),
        password_hash=data["password_hash"],
        created_at=datetime.fromisoformat(data["created_at"]),
    )
