"""Fakes for the audit log and retention use cases: one tenant's tables in memory, and a
blob store that records (or refuses) deletions."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Self
from uuid import UUID

from core.audit.model import AuditEvent, AuditFilter
from core.retention.model import RetentionPolicy
from ports.pagination import Page, PageRequest, Position
from ports.retention import FileBlob


@dataclass
class Row:
    """A session, file or notification: only what retention reads of it."""

    id: UUID
    at: datetime
    open: bool = False
    session_id: UUID | None = None
    finished: bool = True


@dataclass
class Tables:
    policy: RetentionPolicy = field(default_factory=RetentionPolicy)
    events: list[AuditEvent] = field(default_factory=list)
    sessions: dict[UUID, Row] = field(default_factory=dict)
    files: dict[UUID, Row] = field(default_factory=dict)
    outbox: dict[UUID, Row] = field(default_factory=dict)
    fail_writes: bool = False

    def copy(self) -> Tables:
        return replace(
            self,
            events=list(self.events),
            sessions=dict(self.sessions),
            files=dict(self.files),
            outbox=dict(self.outbox),
        )


class MemoryAudit:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def add(self, event: AuditEvent) -> None:
        if self.t.fail_writes:
            raise OSError("disk full")
        self.t.events.append(event)

    async def list(self, criteria: AuditFilter, page: PageRequest) -> Page[AuditEvent]:
        found = sorted(
            (e for e in self.t.events if _matches(e, criteria)),
            key=lambda e: (e.occurred_at, e.id),
            reverse=True,
        )
        if page.after is not None:
            mark = (page.after.created_at, page.after.id)
            found = [e for e in found if (e.occurred_at, e.id) < mark]
        items = found[: page.limit]
        more = len(found) > page.limit
        last = items[-1] if more else None
        return Page(items, Position(last.occurred_at, last.id) if last else None)

    async def purge_before(self, cutoff: datetime, limit: int) -> int:
        old = sorted((e for e in self.t.events if e.occurred_at < cutoff), key=lambda e: e.id)
        gone = {e.id for e in old[:limit]}
        self.t.events = [e for e in self.t.events if e.id not in gone]
        return len(gone)

    async def count_before(self, cutoff: datetime) -> int:
        return sum(1 for e in self.t.events if e.occurred_at < cutoff)


def _matches(event: AuditEvent, c: AuditFilter) -> bool:
    return (
        (c.actor_id is None or event.actor.id == c.actor_id)
        and (c.action is None or event.action.startswith(c.action))
        and (c.target_id is None or event.target_id == c.target_id)
        and (c.since is None or event.occurred_at >= c.since)
        and (c.until is None or event.occurred_at < c.until)
    )


class MemoryRetention:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def policy(self) -> RetentionPolicy:
        return self.t.policy

    async def save_policy(self, policy: RetentionPolicy) -> None:
        self.t.policy = policy

    async def ended_sessions_before(self, cutoff: datetime, limit: int) -> list[UUID]:
        return [s.id for s in self.t.sessions.values() if not s.open and s.at < cutoff][:limit]

    async def count_ended_sessions_before(self, cutoff: datetime) -> int:
        return len(await self.ended_sessions_before(cutoff, 10**6))

    async def files_of_sessions(self, session_ids: list[UUID]) -> list[FileBlob]:
        return [_blob(f) for f in self.t.files.values() if f.session_id in session_ids]

    async def files_before(self, cutoff: datetime, limit: int) -> list[FileBlob]:
        return [_blob(f) for f in self.t.files.values() if self._old_file(f, cutoff)][:limit]

    async def count_files_before(
        self, files_cutoff: datetime | None, sessions_cutoff: datetime | None
    ) -> int:
        ended = set(
            await self.ended_sessions_before(sessions_cutoff, 10**6) if sessions_cutoff else []
        )
        return sum(
            1
            for f in self.t.files.values()
            if (files_cutoff is not None and self._old_file(f, files_cutoff))
            or f.session_id in ended
        )

    def _old_file(self, row: Row, cutoff: datetime) -> bool:
        session = self.t.sessions.get(row.session_id) if row.session_id else None
        return row.at < cutoff and (session is None or not session.open)

    async def delete_files(self, file_ids: list[UUID]) -> int:
        return sum(1 for i in file_ids if self.t.files.pop(i, None) is not None)

    async def delete_sessions(self, session_ids: list[UUID]) -> int:
        return sum(1 for i in session_ids if self.t.sessions.pop(i, None) is not None)

    async def delete_outbox_before(self, cutoff: datetime, limit: int) -> int:
        old = [o.id for o in self.t.outbox.values() if o.finished and o.at < cutoff][:limit]
        for i in old:
            del self.t.outbox[i]
        return len(old)

    async def count_outbox_before(self, cutoff: datetime) -> int:
        return sum(1 for o in self.t.outbox.values() if o.finished and o.at < cutoff)


def _blob(row: Row) -> FileBlob:
    return FileBlob(row.id, f"files/{row.id}")


class MemoryUnitOfWork:
    """Works on a copy; commit publishes it, so an uncommitted batch leaves no trace."""

    audit: MemoryAudit
    retention: MemoryRetention

    def __init__(self, store: dict[UUID, Tables], tenant_id: UUID) -> None:
        self._store = store
        self._tenant_id = tenant_id

    async def __aenter__(self) -> Self:
        self._working = self._store.setdefault(self._tenant_id, Tables()).copy()
        self.audit = MemoryAudit(self._working)
        self.retention = MemoryRetention(self._working)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        self._store[self._tenant_id] = self._working


class MemoryUnitOfWorkFactory:
    def __init__(self) -> None:
        self.store: dict[UUID, Tables] = {}

    def __call__(self, tenant_id: UUID) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store, tenant_id)

    def tables(self, tenant_id: UUID) -> Tables:
        return self.store.setdefault(tenant_id, Tables())

    async def append(self, tenant_id: UUID, event: AuditEvent) -> None:
        """The audit log's ``AuditAppender``: one event, on its own."""
        await MemoryAudit(self.tables(tenant_id)).add(event)


@dataclass
class DeletingBlobs:
    """Only ``delete`` is used by retention; ``refuse`` makes it fail like an outage."""

    deleted: list[str] = field(default_factory=list)
    refuse: bool = False

    async def delete(self, tenant_id: UUID, key: str) -> None:
        if self.refuse:
            raise OSError("storage unreachable")
        self.deleted.append(key)
