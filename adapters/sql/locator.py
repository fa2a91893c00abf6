"""Where a tenant's database lives, derived from the control database URL and the tenant id.

Names come from the tenant id only, never from user text: a PostgreSQL database
``<prefix><hex id>`` on the same instance, or a SQLite file ``tenants/<id>.db`` beside the
control file.
"""

from __future__ import annotations

import re
from pathlib import Path
from uuid import UUID

from sqlalchemy.engine import URL, make_url

_PREFIX = re.compile(r"^[a-z_][a-z0-9_]{0,19}$")


class DatabaseLocator:
    def __init__(self, control_url: str | URL, *, prefix: str = "pxr_tenant_") -> None:
        if not _PREFIX.fullmatch(prefix):
            raise ValueError(
                "tenant database prefix must be 1-20 of [a-z0-9_], not starting with a digit"
            )
        self.control_url = make_url(control_url)
        self.prefix = prefix

    @property
    def is_sqlite(self) -> bool:
        return self.control_url.get_backend_name() == "sqlite"

    @property
    def sqlite_folder(self) -> Path:
        """The folder of the control file, which holds the tenant files' folder."""
        return Path(self.control_url.database or "").parent

    def database_name(self, tenant_id: UUID) -> str:
        return f"{self.prefix}{tenant_id.hex}"

    def sqlite_path(self, tenant_id: UUID) -> Path:
        return self.sqlite_folder / "tenants" / f"{tenant_id}.db"

    def url_for(self, tenant_id: UUID) -> URL:
        if self.is_sqlite:
            return self.control_url.set(database=str(self.sqlite_path(tenant_id)))
        return self.control_url.set(database=self.database_name(tenant_id))
