"""Built-in feature plugin: the audit log's record of session lifecycles.

The session hooks run in the process, and usually the request, that changed the session:
the request's caller, address and id are read from ``core.audit.context``; a change the
worker made (an idle session ended, a call missed) is recorded as the system's. The API
records the other audited changes itself (``apps/api/audit``) while this plugin is
loaded; ``disabled_plugins = ["plugins.builtin.audit_log"]`` turns the whole log off.
"""

from __future__ import annotations

from typing import Any

from core.audit.context import current_request
from core.audit.model import SYSTEM, AuditEntry
from core.audit.services import record
from plugins.features import FeatureServices
from plugins.hookspecs import hookimpl
from ports.events import Event

_DETAILS = ("state", "host_id", "participant_id", "user_id", "role")


class AuditLogPlugin:
    def __init__(self, services: FeatureServices) -> None:
        self._services = services

    @hookimpl
    async def session_created(self, event: Event) -> None:
        await self._record(event, "session.created")

    @hookimpl
    async def session_started(self, event: Event) -> None:
        await self._record(event, "session.started")

    @hookimpl
    async def participant_joined(self, event: Event) -> None:
        await self._record(event, "session.participant_joined")

    @hookimpl
    async def participant_left(self, event: Event) -> None:
        await self._record(event, "session.participant_left")

    @hookimpl
    async def session_ended(self, event: Event) -> None:
        await self._record(event, "session.ended")

    async def _record(self, event: Event, action: str) -> None:
        context = current_request()
        in_request = context is not None and context.tenant_id == event.tenant_id
        details: dict[str, Any] = {k: event.data[k] for k in _DETAILS if k in event.data}
        entry = AuditEntry(
            actor=context.audit_actor() if context is not None and in_request else SYSTEM,
            action=action,
            target_type="session",
            target_id=str(event.data.get("session_id") or "") or None,
            ip=context.ip if context is not None else None,
            request_id=context.request_id if context is not None else None,
            details=details,
        )
        await record(event.tenant_id, entry, self._services.audit())


def feature_plugin(services: FeatureServices) -> AuditLogPlugin:
    return AuditLogPlugin(services)
