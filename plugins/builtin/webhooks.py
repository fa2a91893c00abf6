"""Built-in feature plugin: the platform's session, file and recording events to tenants'
webhook endpoints.

Its lifecycle hooks queue each event in the tenant's outbox, once per enabled endpoint
subscribed to the event's type; the worker then delivers it on the ``webhook`` channel
(``core.webhooks.delivery``). Hooks run after the change committed, so a process
that dies between the commit and the hook loses that event's webhooks (docs/webhooks.md).
``disabled_plugins = ["plugins.builtin.webhooks"]`` stops queueing new events; the
endpoints API stays, and what is already queued is still delivered.
"""

from __future__ import annotations

from core.webhooks.services import queue_event
from plugins.features import FeatureServices
from plugins.hookspecs import hookimpl
from ports.events import Event


class WebhookPlugin:
    """The event type a receiver sees is named by the hook, so every end state (missed,
    cancelled, declined) arrives as ``session.ended`` with ``data.state``."""

    def __init__(self, services: FeatureServices) -> None:
        self._services = services

    @hookimpl
    async def session_created(self, event: Event) -> None:
        await self._queue("session.created", event)

    @hookimpl
    async def session_started(self, event: Event) -> None:
        await self._queue("session.started", event)

    @hookimpl
    async def participant_joined(self, event: Event) -> None:
        await self._queue("participant.joined", event)

    @hookimpl
    async def participant_left(self, event: Event) -> None:
        await self._queue("participant.left", event)

    @hookimpl
    async def session_ended(self, event: Event) -> None:
        await self._queue("session.ended", event)

    @hookimpl
    async def file_shared(self, event: Event) -> None:
        await self._queue("file.shared", event)

    @hookimpl
    async def recording_ready(self, event: Event) -> None:
        await self._queue("recording.ready", event)

    async def _queue(self, event_type: str, event: Event) -> None:
        data = {**event.data, "event_id": str(event.id)}
        deps = self._services.webhooks()
        await queue_event(event.tenant_id, event_type, data, event.occurred_at, deps)


def feature_plugin(services: FeatureServices) -> WebhookPlugin:
    return WebhookPlugin(services)
