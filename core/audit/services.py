"""Use cases of the audit log: record an event, list and export a tenant's events.

Recording never fails the change it describes: the change has already committed when
the API or a lifecycle hook records it, so a failed write is logged and counted, not
raised (the trade-off of recording after the fact, documented in docs/audit-log.md).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID

from core.audit.model import AuditEntry, AuditEvent, AuditFilter, clean_details
from core.identity.model import Actor
from core.identity.permissions import Action, authorize
from ports.audit import AuditAppender, AuditUnitOfWorkFactory
from ports.clock import Clock
from ports.pagination import Page, PageRequest

log = logging.getLogger(__name__)
EXPORT_BATCH = 500


@dataclass(frozen=True, slots=True)
class AuditDependencies:
    tenant_uow: AuditUnitOfWorkFactory
    clock: Clock
    appender: AuditAppender


async def record(tenant_id: UUID, entry: AuditEntry, deps: AuditDependencies) -> bool:
    """Append one event on its own (``AuditAppender``: one autocommitted statement where
    the database allows); False (and a log line) if it failed."""
    event = AuditEvent(
        id=uuid.uuid4(),
        occurred_at=deps.clock.now(),
        actor=entry.actor,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        ip=entry.ip,
        request_id=entry.request_id,
        details=clean_details(entry.details),
    )
    try:
        await deps.appender.append(tenant_id, event)
    except Exception:  # the change it describes already happened
        log.exception("audit event %s of tenant %s not recorded", entry.action, tenant_id)
        return False
    return True


async def list_events(
    actor: Actor, criteria: AuditFilter, page: PageRequest, deps: AuditDependencies
) -> Page[AuditEvent]:
    authorize(actor, Action.AUDIT_READ)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await uow.audit.list(criteria, page)


def export_events(
    actor: Actor, criteria: AuditFilter, deps: AuditDependencies
) -> AsyncIterator[AuditEvent]:
    """Authorised now (a refusal is an answer, not a cut stream), then every matching
    event, newest first."""
    authorize(actor, Action.AUDIT_READ)
    return _every(actor.tenant_id, criteria, deps)


async def _every(
    tenant_id: UUID, criteria: AuditFilter, deps: AuditDependencies
) -> AsyncIterator[AuditEvent]:
    """A batch per transaction, so a long export holds no connection between batches."""
    page = PageRequest(limit=EXPORT_BATCH)
    while True:
        async with deps.tenant_uow(tenant_id) as uow:
            found = await uow.audit.list(criteria, page)
        for event in found.items:
            yield event
        if found.next is None:
            return
        page = PageRequest(limit=EXPORT_BATCH, after=found.next)
