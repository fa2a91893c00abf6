"""Audit events of a tenant database, listed newest first by keyset on (occurred_at, id)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tenant_tables import audit_events
from core.audit.model import ActorKind, AuditActor, AuditEvent, AuditFilter
from ports.pagination import Page, PageRequest, Position

_T = audit_events.c
# built once: a statement made per call costs its cache key on every event
ADD_EVENT = audit_events.insert()


def event_row(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "occurred_at": event.occurred_at,
        "actor_kind": event.actor.kind.value,
        "actor_id": event.actor.id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "ip": event.ip,
        "request_id": event.request_id,
        "details": event.details,
    }


class SqlAuditEventRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, event: AuditEvent) -> None:
        await self._connection.execute(ADD_EVENT, event_row(event))

    async def list(self, criteria: AuditFilter, page: PageRequest) -> Page[AuditEvent]:
        query = audit_events.select().where(*_conditions(criteria))
        if page.after is not None:
            at, last_id = page.after.created_at, page.after.id
            query = query.where(
                sa.or_(_T.occurred_at < at, sa.and_(_T.occurred_at == at, _T.id < last_id))
            )
        query = query.order_by(_T.occurred_at.desc(), _T.id.desc()).limit(page.limit + 1)
        rows = (await self._connection.execute(query)).all()
        items = [_event(row) for row in rows[: page.limit]]
        more = len(rows) > page.limit
        last = items[-1] if more else None
        return Page(
            items=items,
            next=Position(created_at=last.occurred_at, id=last.id) if last else None,
        )

    async def purge_before(self, cutoff: datetime, limit: int) -> int:
        oldest = (
            sa.select(_T.id).where(_T.occurred_at < cutoff).order_by(_T.occurred_at).limit(limit)
        )
        ids = list((await self._connection.execute(oldest)).scalars())
        if not ids:
            return 0
        await self._connection.execute(audit_events.delete().where(_T.id.in_(ids)))
        return len(ids)

    async def count_before(self, cutoff: datetime) -> int:
        query = sa.select(sa.func.count()).select_from(audit_events)
        return int(
            (await self._connection.execute(query.where(_T.occurred_at < cutoff))).scalar_one()
        )


def _conditions(criteria: AuditFilter) -> list[sa.ColumnElement[bool]]:
    found: list[sa.ColumnElement[bool]] = []
    if criteria.actor_id is not None:
        found.append(_T.actor_id == criteria.actor_id)
    if criteria.action is not None:
        found.append(_T.action.startswith(criteria.action, autoescape=True))
    if criteria.target_id is not None:
        found.append(_T.target_id == criteria.target_id)
    if criteria.since is not None:
        found.append(_T.occurred_at >= criteria.since)
    if criteria.until is not None:
        found.append(_T.occurred_at < criteria.until)
    return found


def _event(row: Any) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        occurred_at=row.occurred_at,
        actor=AuditActor(ActorKind(row.actor_kind), row.actor_id),
        action=row.action,
        target_type=row.target_type,
        target_id=row.target_id,
        ip=row.ip,
        request_id=row.request_id,
        details=dict(row.details or {}),
    )
