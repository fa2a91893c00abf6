"""Response bodies of the notification endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from apps.api.schemas import RequestBody, ResponseBody
from core.notifications.model import Channel, OutboxMessage
from core.notifications.sms_text import measure_sms
from ports.templates import RenderedMessage


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


class NotificationPage(ResponseBody):
    items: list[NotificationOut]
    next_cursor: str | None


class PreviewBody(RequestBody):
    kind: Annotated[
        str,
        msgspec.Meta(
            description="session_invitation, missed_call, session_summary, password_reset, "
            "account_invitation",
            examples=["session_invitation"],
        ),
    ]
    channel: Annotated[Channel, msgspec.Meta(description="email, sms or push")] = Channel.EMAIL
    locale: Annotated[str, msgspec.Meta(description="en, fr or nl", examples=["fr"])] = "en"
    values: Annotated[
        dict[str, str],
        msgspec.Meta(
            description="Values to show instead of the kind's examples.",
            examples=[{"guest_name": "Gus Guest"}],
        ),
    ] = msgspec.field(default_factory=dict)


class SmsLengthOut(ResponseBody):
    encoding: str
    characters: int
    parts: int


class PreviewOut(ResponseBody):
    subject: str | None
    text: str
    html: str | None
    sms: SmsLengthOut | None = None
    """For SMS: how the text travels and how many parts are billed."""

    @classmethod
    def of(cls, rendered: RenderedMessage, channel: Channel) -> PreviewOut:
        sms = None
        if channel is Channel.SMS:
            length = measure_sms(rendered.text.strip())
            sms = SmsLengthOut(length.encoding.value, length.units, length.parts)
        return cls(subject=rendered.subject, text=rendered.text, html=rendered.html, sms=sms)
