"""Operator endpoints for a tenant's backups: list, make one now, restore one in place."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from apps.api.dependencies import container_of, provide_operator
from apps.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam
from apps.api.schemas import RequestBody, ResponseBody
from apps.api.tenants.schemas import TenantOut
from core.errors import InvalidInput
from core.tenants import backups
from ports.operator_keys import OperatorKey


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

    @get("/backups", summary="List a tenant's backups, oldest first")
    async def list_backups(
        self,
        request: Request[Any, Any, Any],
        tenant_id: FromPath[UUID],
        operator: NamedDependency[OperatorKey],
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> BackupPage:
        found = await backups.list_backups(tenant_id, container_of(request).backup_dependencies())
        after = _after(cursor)
        rest = [b for b in found if after is None or (b.created_at, b.name) > after]
        page = rest[:limit]
        more = len(rest) > limit
        return BackupPage(
            items=[BackupOut.of(b) for b in page],
            next_cursor=_cursor(page[-1]) if more else None,
        )

    @post(
        "/backups",
        summary="Back a tenant up now",
        description="Writes the tenant's archive (rows, files, manifest of checksums) into "
        "its storage directory under `backups/`. Manual backups are never pruned.",
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


def _cursor(backup: backups.Backup) -> str:
    """Backups are listed by (time, name); the cursor is the last one's, opaque."""
    raw = f"{backup.created_at.isoformat()}|{backup.name}"
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def _after(cursor: str | None) -> tuple[datetime, str] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, _, name = raw.partition("|")
        at = datetime.fromisoformat(when)
        if at.tzinfo is None:
            raise ValueError("cursor time without zone")
        return at, name
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(
            "cursor is not one this API issued", field="cursor", code="invalid_cursor"
        ) from None
