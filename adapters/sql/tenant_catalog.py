"""The tenant catalog and operator keys in the control database."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.control_tables import operator_keys, tenants
from adapters.sql.keyset import paginate, to_page
from core.errors import Conflict
from core.tenants.model import Tenant, TenantStatus
from ports.operator_keys import OperatorKey
from ports.pagination import Page, PageRequest


class SqlTenantCatalog:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, tenant: Tenant) -> None:
        try:
            async with self._engine.begin() as connection:
                await connection.execute(tenants.insert().values(**_row(tenant)))
        except IntegrityError as exc:
            raise Conflict(
                f"slug '{tenant.slug}' is already taken", field="slug", code="slug_taken"
            ) from exc

    async def save(self, tenant: Tenant) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                tenants.update().where(tenants.c.id == tenant.id).values(**_row(tenant))
            )

    async def get(self, tenant_id: UUID) -> Tenant | None:
        return await self._one(tenants.c.id == tenant_id)

    async def find_by_slug(self, slug: str) -> Tenant | None:
        return await self._one(tenants.c.slug == slug)

    async def list(self, page: PageRequest) -> Page[Tenant]:
        async with self._engine.connect() as connection:
            rows = (await connection.execute(paginate(tenants.select(), tenants, page))).all()
        return to_page(rows, page, _tenant)

    async def _one(self, condition: sa.ColumnElement[bool]) -> Tenant | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(tenants.select().where(condition))).first()
        return _tenant(row) if row else None


class SqlOperatorKeys:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, key: OperatorKey) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                operator_keys.insert().values(
                    id=key.id, name=key.name, key_hash=key.key_hash, created_at=key.created_at
                )
            )

    async def find_by_hash(self, key_hash: str) -> OperatorKey | None:
        query = operator_keys.select().where(operator_keys.c.key_hash == key_hash)
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        if row is None:
            return None
        return OperatorKey(
            id=row.id, name=row.name, key_hash=row.key_hash, created_at=row.created_at
        )

    async def count(self) -> int:
        async with self._engine.connect() as connection:
            query = sa.select(sa.func.count()).select_from(operator_keys)
            return int((await connection.execute(query)).scalar_one())


def _row(tenant: Tenant) -> dict[str, Any]:
    return {
        "id": tenant.id,
        "slug": tenant.slug,
        "display_name": tenant.display_name,
        "status": tenant.status.value,
        "created_at": tenant.created_at,
        "updated_at": tenant.updated_at,
    }


def _tenant(row: Any) -> Tenant:
    return Tenant(
        id=row.id,
        slug=row.slug,
        display_name=row.display_name,
        status=TenantStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
