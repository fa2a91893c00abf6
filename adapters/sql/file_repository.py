"""Files of a tenant database: the metadata of every blob under ``files/``.

The quota lock: on PostgreSQL a transaction-scoped advisory lock (each tenant has its own
database, so one constant key serves every tenant); SQLite transactions here begin with
``BEGIN IMMEDIATE`` (``engines``) and already hold the database's only write lock.
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.keyset import paginate, to_page
from adapters.sql.tenant_tables import files
from core.files.model import FileKind, FileStatus, StoredFile
from ports.pagination import Page, PageRequest

QUOTA_LOCK = 0x7061_7373_6669_6C65
"""Advisory lock key of the files quota ("passfile")."""


class SqlFileRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, file: StoredFile) -> None:
        await self._connection.execute(files.insert().values(id=file.id, **_row(file)))

    async def save(self, file: StoredFile) -> None:
        await self._connection.execute(
            files.update().where(files.c.id == file.id).values(**_row(file))
        )

    async def get(self, file_id: UUID) -> StoredFile | None:
        row = (await self._connection.execute(files.select().where(files.c.id == file_id))).first()
        return _file(row) if row else None

    async def delete(self, file_id: UUID) -> None:
        await self._connection.execute(files.delete().where(files.c.id == file_id))

    async def list(
        self,
        page: PageRequest,
        *,
        session_id: UUID | None = None,
        kind: FileKind | None = None,
    ) -> Page[StoredFile]:
        query = files.select().where(files.c.status == FileStatus.AVAILABLE.value)
        if session_id is not None:
            query = query.where(files.c.session_id == session_id)
        if kind is not None:
            query = query.where(files.c.kind == kind.value)
        rows = (await self._connection.execute(paginate(query, files, page))).all()
        return to_page(rows, page, _file)

    async def lock_quota(self) -> None:
        if self._connection.dialect.name == "postgresql":
            await self._connection.execute(sa.select(sa.func.pg_advisory_xact_lock(QUOTA_LOCK)))

    async def total_size(self) -> int:
        query = sa.select(sa.func.coalesce(sa.func.sum(files.c.size), 0))
        return int((await self._connection.execute(query)).scalar_one())

    async def expired_pending(self, now: datetime) -> builtins.list[StoredFile]:
        query = files.select().where(
            files.c.status == FileStatus.PENDING.value, files.c.expires_at < now
        )
        return [_file(row) for row in (await self._connection.execute(query)).all()]

    async def every(self) -> builtins.list[StoredFile]:
        rows = (await self._connection.execute(files.select().order_by(files.c.id))).all()
        return [_file(row) for row in rows]


def _row(file: StoredFile) -> dict[str, Any]:
    return {
        "name": file.name,
        "kind": file.kind.value,
        "content_type": file.content_type,
        "size": file.size,
        "sha256": file.sha256,
        "status": file.status.value,
        "uploader_id": file.uploader_id,
        "session_id": file.session_id,
        "created_at": file.created_at,
        "updated_at": file.updated_at,
        "expires_at": file.expires_at,
    }


def _file(row: Any) -> StoredFile:
    return StoredFile(
        id=row.id,
        name=row.name,
        kind=FileKind(row.kind),
        content_type=row.content_type,
        size=row.size,
        status=FileStatus(row.status),
        uploader_id=row.uploader_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        sha256=row.sha256,
        session_id=row.session_id,
        expires_at=row.expires_at,
    )
