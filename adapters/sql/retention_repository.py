"""Retention in a tenant database: the policy row and the old rows the purge deletes.

Deleting sessions removes first every row of a table with a foreign key to the session
(participants, invitations, recordings, and any table added later that refers to one),
found from the metadata, so a new table cannot make the purge fail on a constraint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tenant_tables import (
    assistance_sessions,
    files,
    invitations,
    metadata,
    outbox,
    retention_policy,
)
from core.files.model import file_key
from core.notifications.model import NotificationStatus
from core.retention.model import RetentionPolicy
from core.sessions.model import SessionState
from ports.retention import FileBlob

_ROW_ID = 1
_OPEN = [state.value for state in SessionState if state.is_open]
_ENDED = [state.value for state in SessionState if not state.is_open]
_FINISHED = [
    NotificationStatus.SENT.value,
    NotificationStatus.DELIVERED.value,
    NotificationStatus.DEAD.value,
]
_S = assistance_sessions.c


class SqlRetentionRecords:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def policy(self) -> RetentionPolicy:
        row = (await self._connection.execute(retention_policy.select())).first()
        if row is None:
            return RetentionPolicy()
        return RetentionPolicy(
            ended_sessions_days=row.ended_sessions_days,
            files_days=row.files_days,
            audit_events_days=row.audit_events_days,
            outbox_days=row.outbox_days,
        )

    async def save_policy(self, policy: RetentionPolicy) -> None:
        values = {
            "ended_sessions_days": policy.ended_sessions_days,
            "files_days": policy.files_days,
            "audit_events_days": policy.audit_events_days,
            "outbox_days": policy.outbox_days,
        }
        updated = await self._connection.execute(
            retention_policy.update().where(retention_policy.c.id == _ROW_ID).values(**values)
        )
        if updated.rowcount == 0:
            await self._connection.execute(retention_policy.insert().values(id=_ROW_ID, **values))

    async def ended_sessions_before(self, cutoff: datetime, limit: int) -> list[UUID]:
        query = _ended_before(sa.select(_S.id), cutoff).order_by(_S.ended_at).limit(limit)
        return list((await self._connection.execute(query)).scalars())

    async def count_ended_sessions_before(self, cutoff: datetime) -> int:
        query = _ended_before(sa.select(sa.func.count()).select_from(assistance_sessions), cutoff)
        return int((await self._connection.execute(query)).scalar_one())

    async def files_of_sessions(self, session_ids: list[UUID]) -> list[FileBlob]:
        query = sa.select(files.c.id).where(files.c.session_id.in_(session_ids))
        return [FileBlob(i, file_key(i)) for i in (await self._connection.execute(query)).scalars()]

    async def files_before(self, cutoff: datetime, limit: int) -> list[FileBlob]:
        query = _files_before(sa.select(files.c.id), cutoff).order_by(files.c.created_at)
        found = (await self._connection.execute(query.limit(limit))).scalars()
        return [FileBlob(i, file_key(i)) for i in found]

    async def count_files_before(
        self, files_cutoff: datetime | None, sessions_cutoff: datetime | None
    ) -> int:
        parts: list[sa.ColumnElement[bool]] = []
        if files_cutoff is not None:
            parts.append(_old_file(files_cutoff))
        if sessions_cutoff is not None:
            ended = _ended_before(sa.select(_S.id), sessions_cutoff)
            parts.append(files.c.session_id.in_(ended))
        if not parts:
            return 0
        query = sa.select(sa.func.count()).select_from(files).where(sa.or_(*parts))
        return int((await self._connection.execute(query)).scalar_one())

    async def delete_files(self, file_ids: list[UUID]) -> int:
        if not file_ids:
            return 0
        result = await self._connection.execute(files.delete().where(files.c.id.in_(file_ids)))
        return int(result.rowcount)

    async def delete_sessions(self, session_ids: list[UUID]) -> int:
        """Sessions that still have a file (one attached since the purge read them) stay,
        so no file row goes without its blob; the next run takes them."""
        with_files = sa.select(files.c.session_id).where(files.c.session_id.in_(session_ids))
        query = sa.select(_S.id).where(
            _S.id.in_(session_ids), _S.state.in_(_ENDED), _S.id.not_in(with_files)
        )
        ids = list((await self._connection.execute(query)).scalars())
        if not ids:
            return 0
        for table, column in _tables_referring_to_sessions():
            await self._connection.execute(table.delete().where(column.in_(ids)))
        await self._connection.execute(assistance_sessions.delete().where(_S.id.in_(ids)))
        return len(ids)

    async def delete_outbox_before(self, cutoff: datetime, limit: int) -> int:
        query = _outbox_before(sa.select(outbox.c.id), cutoff).order_by(outbox.c.updated_at)
        ids = list((await self._connection.execute(query.limit(limit))).scalars())
        if not ids:
            return 0
        await self._connection.execute(outbox.delete().where(outbox.c.id.in_(ids)))
        return len(ids)

    async def count_outbox_before(self, cutoff: datetime) -> int:
        query = _outbox_before(sa.select(sa.func.count()).select_from(outbox), cutoff)
        return int((await self._connection.execute(query)).scalar_one())


def _ended_before(query: sa.Select[Any], cutoff: datetime) -> sa.Select[Any]:
    return query.where(_S.state.in_(_ENDED), _S.ended_at.is_not(None), _S.ended_at < cutoff)


def _old_file(cutoff: datetime) -> sa.ColumnElement[bool]:
    open_sessions = sa.select(_S.id).where(_S.state.in_(_OPEN))
    return sa.and_(
        files.c.created_at < cutoff,
        sa.or_(files.c.session_id.is_(None), files.c.session_id.not_in(open_sessions)),
    )


def _files_before(query: sa.Select[Any], cutoff: datetime) -> sa.Select[Any]:
    return query.where(_old_file(cutoff))


def _outbox_before(query: sa.Select[Any], cutoff: datetime) -> sa.Select[Any]:
    referred = sa.select(invitations.c.notification_id)
    return query.where(
        outbox.c.status.in_(_FINISHED),
        outbox.c.updated_at < cutoff,
        outbox.c.id.not_in(referred),
    )


def _tables_referring_to_sessions() -> list[tuple[sa.Table, sa.Column[object]]]:
    found = []
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column is _S.id and table is not files:
                found.append((table, fk.parent))
    return found
