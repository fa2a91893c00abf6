"""Each tenant's directory under a root folder: ``<root>/tenants/<tenant id>/``."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from uuid import UUID

from ports.tenant_databases import ProvisioningError


class LocalTenantStorage:
    def __init__(self, root: Path) -> None:
        self._tenants = root / "tenants"

    def directory(self, tenant_id: UUID) -> Path:
        return self._tenants / str(tenant_id)

    async def ensure(self, tenant_id: UUID) -> None:
        try:
            await asyncio.to_thread(self.directory(tenant_id).mkdir, parents=True, exist_ok=True)
        except OSError as exc:
            raise ProvisioningError(f"cannot create {self.directory(tenant_id)}: {exc}") from exc

    async def exists(self, tenant_id: UUID) -> bool:
        return await asyncio.to_thread(self.directory(tenant_id).is_dir)

    async def purge(self, tenant_id: UUID) -> None:
        directory = self.directory(tenant_id)
        try:
            await asyncio.to_thread(shutil.rmtree, directory, ignore_errors=False)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise ProvisioningError(f"cannot delete {directory}: {exc}") from exc

    async def tenant_ids(self) -> set[UUID]:
        def scan() -> set[UUID]:
            if not self._tenants.is_dir():
                return set()
            found = set()
            for entry in self._tenants.iterdir():
                try:
                    found.add(UUID(entry.name))
                except ValueError:
                    continue
            return found

        return await asyncio.to_thread(scan)
