"""Response bodies of the notification endpoints."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from apps.api.schemas import ResponseBody
from core.notifications.model import OutboxMessage


class NotificationOut(ResponseBody):
    id: UUID
    kind: str
    channel: str
    recipient: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, message: OutboxMessage) -> NotificationOut:
        return cls(
            id=message.id,
            kind=message.kind,
            channel=message.channel.value,
            recipient=message.recipient,
            status=message.status.value,
            attempts=message.attempts,
            next_attempt_at=message.next_attempt_at,
            last_error=message.last_error,
            sent_at=message.sent_at,
            created_at=message.created_at,
        )
