"""Operator endpoints for a tenant's backups: list, make one now, restore one in place."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from apps.api.dependencies import container_of, provide_operator
from apps.api.pagination import (
    DEFAULT_LIMIT,
    CursorParam,
    LimitParam,
    decode_cursor,
    encode_cursor,
)
from apps.api.schemas import RequestBody, ResponseBody
from apps.api.tenants.schemas import TenantOut
from core.tenants import backups
from ports.operator_keys import OperatorKey
from ports.pagination import Position


class BackupOut(ResponseBody):
    name: str
    size: int
    created_at: datetime
    sha256: str | None
    daily: bool

    @classmethod
    def of(cls, backup: backups.Backup) -> BackupOut:
        return cls(backup.name, backup.size, backup.created_at, backup.sha256, backup.daily)


class BackupPage(ResponseBody):
    items: list[BackupOut]
    next_cursor: str | None


class RestoreBody(RequestBody):
    backup: Annotated[
        str | None,
        msgspec.Meta(description="Name from the list; default: the newest backup."),
    ] = None
    safety_backup: Annotated[
        bool,
        msgspec.Meta(description="Back the current state up first, so the restore can be undone."),
    ] = True


class RestoredOut(ResponseBody):
    tenant: TenantOut
    backup: BackupOut


class BackupController(Controller):
    path = "/tenants/{tenant_id:uuid}"
    tags = ["tenants"]
    security = [{"OperatorKey": []}]
    dependencies = {"operator": Provide(provide_operator)}

    @get(
        "/backups",
        summary="List a tenant's backups, oldest first",
        description="A tenant without a storage directory (still `provisioning`, or "
        "purged) has none: an empty page.",
    )
    async def list_backups(
        self,
        request: Request[Any, Any, Any],
        tenant_id: FromPath[UUID],
        operator: NamedDependency[OperatorKey],
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> BackupPage:
        found = await backups.list_backups(tenant_id, container_of(request).backup_dependencies())
        after = _key(decode_cursor(cursor)) if cursor else None
        rest = sorted(
            (b for b in found if after is None or _key(_position(b)) > after),
            key=lambda b: _key(_position(b)),
        )
        page = rest[:limit]
        more = len(rest) > limit
        return BackupPage(
            items=[BackupOut.of(b) for b in page],
            next_cursor=encode_cursor(_position(page[-1])) if more else None,
        )

    @post(
        "/backups",
        summary="Back a tenant up now",
        description="Writes the tenant's archive (rows, files, manifest of checksums) into "
        "its storage directory under `backups/`, named `manual-<time>-<id>.tar.gz`: two "
        "backups made at once are both kept. Manual backups are never pruned.",
    )
    async def back_up(
        self,
        request: Request[Any, Any, Any],
        tenant_id: FromPath[UUID],
        operator: NamedDependency[OperatorKey],
    ) -> BackupOut:
        made = await backups.back_up(
            tenant_id,
            container_of(request).backup_dependencies(),
            actor=f"operator:{operator.name}",
        )
        return BackupOut.of(made)

    @post(
        "/restore",
        status_code=200,
        summary="Restore a tenant from one of its backups, in place",
        description="Every checksum is checked before anything changes; the tenant is "
        "suspended meanwhile and resumed if it was active. A backup of another tenant is "
        "refused (422 `other_tenant`).",
    )
    async def restore(
        self,
        request: Request[Any, Any, Any],
        tenant_id: FromPath[UUID],
        data: JSONBody[RestoreBody],
        operator: NamedDependency[OperatorKey],
    ) -> RestoredOut:
        restored, used = await backups.restore(
            tenant_id,
            data.backup,
            container_of(request).backup_dependencies(),
            actor=f"operator:{operator.name}",
            safety_backup=data.safety_backup,
        )
        return RestoredOut(tenant=TenantOut.of(restored), backup=BackupOut.of(used))


def _position(backup: backups.Backup) -> Position:
    """Backups have a name, not an id: a digest of the name stands for one, so their cursor
    has the shape of every other list's and ties in time still order the same way."""
    digest = hashlib.blake2b(backup.name.encode(), digest_size=16).digest()
    return Position(created_at=backup.created_at, id=UUID(bytes=digest))


def _key(position: Position) -> tuple[datetime, bytes]:
    return position.created_at, position.id.bytes
