"""The event types a webhook endpoint may subscribe to: the published list.

Receivers build on these names, so a type is only ever added; its ``data`` may gain
fields. ``webhook.test`` is sent on request to one endpoint and needs no subscription.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.errors import InvalidInput

TEST_EVENT = "webhook.test"

EVENT_TYPES: dict[str, str] = {
    "session.created": "A session was created, or a call started ringing.",
    "session.started": "A session became active: its first join, or its call was accepted.",
    "session.ended": "A session reached an end state; data.state says which "
    "(ended, missed, cancelled, declined).",
    "participant.joined": "Someone (a user or a guest) joined a session.",
    "participant.left": "Someone left a session, or was removed when it ended.",
    "file.shared": "A file attached to a session was stored (uploaded, or attached later).",
    "recording.ready": "A session's recording was copied into the tenant's storage.",
}


def subscribed_types(requested: Iterable[str]) -> tuple[str, ...]:
    """The requested event types, each once and sorted; refuses unknown or no types."""
    chosen = sorted(set(requested))
    if not chosen:
        raise InvalidInput(
            "subscribe to at least one event type", field="event_types", code="no_event_types"
        )
    unknown = [name for name in chosen if name not in EVENT_TYPES]
    if unknown:
        raise InvalidInput(
            f"unknown event types: {', '.join(unknown)}; published ones are "
            + ", ".join(EVENT_TYPES),
            field="event_types",
            code="unknown_event_type",
        )
    return tuple(chosen)
