"""What the audit log needs of a tenant's database: the audit_events table."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from core.audit.model import AuditEvent, AuditFilter
from ports.pagination import Page, PageRequest


class AuditEventRepository(Protocol):
    async def add(self, event: AuditEvent) -> None: ...

    async def list(self, criteria: AuditFilter, page: PageRequest) -> Page[AuditEvent]:
        """Newest first; ``page.after`` is the last event of the previous page."""
        ...

    async def purge_before(self, cutoff: datetime, limit: int) -> int:
        """Delete up to ``limit`` of the oldest events that occurred before ``cutoff``."""
        ...

    async def count_before(self, cutoff: datetime) -> int: ...


class AuditAppender(Protocol):
    async def append(self, tenant_id: UUID, event: AuditEvent) -> None:
        """Write one event on its own: committed (or failed) when this returns."""
        ...


class AuditUnitOfWork(Protocol):
    audit: AuditEventRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class AuditUnitOfWorkFactory(Protocol):
    def __call__(self, tenant_id: UUID) -> AuditUnitOfWork: ...
