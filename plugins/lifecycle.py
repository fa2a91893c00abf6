"""Lifecycle hooks, fed by the realtime events the sessions, files and recordings cores
already publish.

The core knows nothing of plugins: it publishes through the ``EventPublisher`` port.
This publisher hands the events to the real transport, then calls the plugins'
lifecycle hooks for the session, file and recording events among them, each failure
isolated.
"""

from __future__ import annotations

from collections.abc import Sequence

from plugins.manager import PluginSet
from ports.events import INTERNAL_EVENT_TYPES, Event, EventPublisher, EventType

LIFECYCLE_HOOKS: dict[EventType, str] = {
    EventType.SESSION_CREATED: "session_created",
    EventType.SESSION_RINGING: "session_created",
    EventType.SESSION_STARTED: "session_started",
    EventType.SESSION_ACCEPTED: "session_started",
    EventType.PARTICIPANT_JOINED: "participant_joined",
    EventType.PARTICIPANT_LEFT: "participant_left",
    EventType.SESSION_ENDED: "session_ended",
    EventType.SESSION_MISSED: "session_ended",
    EventType.SESSION_CANCELLED: "session_ended",
    EventType.SESSION_DECLINED: "session_ended",
    EventType.FILE_SHARED: "file_shared",
    EventType.RECORDING_READY: "recording_ready",
}


class LifecycleHookPublisher:
    """An ``EventPublisher`` that also tells plugins, even when the transport is down.

    Internal event types (``INTERNAL_EVENT_TYPES``) reach the hooks only."""

    def __init__(self, transport: EventPublisher | None, plugins: PluginSet) -> None:
        self.transport = transport
        self.plugins = plugins
        self.name = transport.name if transport is not None else "none"

    async def publish(self, events: Sequence[Event]) -> None:
        outgoing = [event for event in events if event.type not in INTERNAL_EVENT_TYPES]
        try:
            if self.transport is not None and outgoing:
                await self.transport.publish(outgoing)
        finally:
            for event in events:
                hook = LIFECYCLE_HOOKS.get(event.type)
                if hook is not None:
                    await self.plugins.notify(hook, event=event)
