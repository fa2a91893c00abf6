"""Where each tenant's database is: on the shared instance (named from its id) or, for a
``dedicated`` tenant, at its own URL recorded in the catalog.

A placement never changes after creation (moving a tenant is an export and an import), so
it is read from the control database once per tenant and process.
"""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.control_tables import tenants
from adapters.sql.locator import DatabaseLocator
from ports.tenant_databases import ProvisioningError


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
        """Read the tenant's placement unless already known; unknown ids count as shared.

        Raises ProvisioningError when the recorded URL cannot be parsed (a row written before
        URLs were checked as closely as ``core.tenants.model`` does now); the error does not
        repeat the URL, which may hold a password.
        """
        if tenant_id in self._shared or tenant_id in self._dedicated:
            return
        query = sa.select(tenants.c.database_url).where(tenants.c.id == tenant_id)
        async with self._control.connect() as connection:
            url = (await connection.execute(query)).scalar_one_or_none()
        if url:
            self._dedicated[tenant_id] = _parsed(url, tenant_id)
        else:
            self._shared.add(tenant_id)


def _parsed(url: str, tenant_id: UUID) -> URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        reason = type(exc).__name__
        raise ProvisioningError(
            f"the database URL recorded for tenant {tenant_id} cannot be parsed ({reason})"
        ) from None
