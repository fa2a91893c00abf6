"""Where each tenant's database is: on the shared instance (named from its id) or, for a
``dedicated`` tenant, at its own URL recorded in the catalog.

A placement never changes after creation (moving a tenant is an export and an import), so
it is read from the control database once per tenant and process.
"""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.control_tables import tenants
from adapters.sql.locator import DatabaseLocator


class TenantPlacements:
    def __init__(self, locator: DatabaseLocator, control_engine: AsyncEngine) -> None:
        self._locator = locator
        self._control = control_engine
        self._dedicated: dict[UUID, URL] = {}
        self._shared: set[UUID] = set()

    def url_for(self, tenant_id: UUID) -> URL:
        return self._dedicated.get(tenant_id) or self._locator.url_for(tenant_id)

    def is_dedicated(self, tenant_id: UUID) -> bool:
        return tenant_id in self._dedicated

    async def learn(self, tenant_id: UUID) -> None:
        """Read the tenant's placement unless already known; unknown ids count as shared."""
        if tenant_id in self._shared or tenant_id in self._dedicated:
            return
        query = sa.select(tenants.c.database_url).where(tenants.c.id == tenant_id)
        async with self._control.connect() as connection:
            url = (await connection.execute(query)).scalar_one_or_none()
        if url:
            self._dedicated[tenant_id] = make_url(url)
        else:
            self._shared.add(tenant_id)
