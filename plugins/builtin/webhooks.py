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

from collections.abc import Awaitable, Callable

from core.webhooks.services import queue_event
from plugins.features import FeatureServices
from plugins.hookspecs import hookimpl
from ports.events import Event

Hook = Callable[["WebhookPlugin", Event], Awaitable[None]]


def _queueing(event_type: str) -> Hook:
    """The lifecycle hook that queues its event as ``event_type`` for subscribed endpoints."""

    async def hook(self: WebhookPlugin, event: Event) -> None:
        data = {**event.data, "event_id": str(event.id)}
        deps = self._services.webhooks()
        await queue_event(event.tenant_id, event_type, data, event.occurred_at, deps)

    return hookimpl(hook)


class WebhookPlugin:
    """The event type a receiver sees is named by the hook, so every end state (missed,
    cancelled, declined) arrives as ``session.ended`` with ``data.state``."""

    def __init__(self, services: FeatureServices) -> None:
        self._services = services

    session_created = _queueing("session.created")
    session_started = _queueing("session.started")
    participant_joined = _queueing("participant.joined")
    participant_left = _queueing("participant.left")
    session_ended = _queueing("session.ended")
    file_shared = _queueing("file.shared")
    recording_ready = _queueing("recording.ready")


def feature_plugin(services: FeatureServices) -> WebhookPlugin:
    return WebhookPlugin(services)
