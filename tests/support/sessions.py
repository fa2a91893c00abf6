"""A session record as the repositories store it, for tests that write one directly."""

from __future__ import annotations

import uuid
from datetime import datetime

from core.sessions.model import AssistanceSession, SessionState


def created_session(host_id: uuid.UUID, at: datetime) -> AssistanceSession:
    """Created by ``host_id`` at ``at``, nobody in it yet."""
    return AssistanceSession(
        id=uuid.uuid4(),
        host_id=host_id,
        reference="Ticket 7",
        state=SessionState.CREATED,
        video_room_id=None,
        created_at=at,
        updated_at=at,
        last_activity_at=at,
    )
