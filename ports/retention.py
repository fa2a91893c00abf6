"""What the retention purge needs of a tenant's database: its policy, and what is old.

Every ``*_before`` query answers at most ``limit`` rows so a purge works in small
batches, each committed on its own: a purge cut short leaves a consistent database and
the next run carries on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from core.retention.model import RetentionPolicy


@dataclass(frozen=True, slots=True)
class FileBlob:
    """A file row and the blob key it stores its bytes under."""

    id: UUID
    key: str


class RetentionRecords(Protocol):
    async def policy(self) -> RetentionPolicy: ...

    async def save_policy(self, policy: RetentionPolicy) -> None: ...

    async def ended_sessions_before(self, cutoff: datetime, limit: int) -> list[UUID]:
        """Sessions in an end state that ended before ``cutoff``; never an open session."""
        ...

    async def files_of_sessions(self, session_ids: list[UUID]) -> list[FileBlob]: ...

    async def files_before(self, cutoff: datetime, limit: int) -> list[FileBlob]:
        """Files created before ``cutoff``, except those attached to an open session."""
        ...

    async def delete_files(self, file_ids: list[UUID]) -> int: ...

    async def delete_sessions(self, session_ids: list[UUID]) -> int:
        """The sessions with their participants, invitations and recordings rows."""
        ...

    async def delete_outbox_before(self, cutoff: datetime, limit: int) -> int:
        """Finished notifications (sent, delivered, dead) last changed before ``cutoff``,
        except those an invitation still refers to."""
        ...

    async def count_outbox_before(self, cutoff: datetime) -> int: ...

    async def count_ended_sessions_before(self, cutoff: datetime) -> int: ...

    async def count_files_before(
        self, files_cutoff: datetime | None, sessions_cutoff: datetime | None
    ) -> int:
        """Files the purge would delete: old ones, and those of sessions it would delete."""
        ...


class RetentionUnitOfWork(Protocol):
    retention: RetentionRecords

    @property
    def audit(self) -> AuditPurge: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class AuditPurge(Protocol):
    async def purge_before(self, cutoff: datetime, limit: int) -> int: ...

    async def count_before(self, cutoff: datetime) -> int: ...


class RetentionUnitOfWorkFactory(Protocol):
    def __call__(self, tenant_id: UUID) -> RetentionUnitOfWork: ...
