"""Response bodies of the notification endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar.openapi.spec import OpenAPIType, Reference, Schema

from apps.api.schemas import RequestBody, ResponseBody
from core.notifications.kinds import KINDS, Locale
from core.notifications.model import BUILTIN_CHANNELS, Channel, OutboxMessage
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
            channel=str(message.channel),
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


def _per_kind() -> list[Schema]:
    """Each kind's channels and values: a kind may be previewed on the built-in channels it
    is sent by (e-mail unless said otherwise) and with the values its templates use."""
    variants = []
    for kind in KINDS.values():
        channels = sorted(str(c) for c in kind.channels if c in BUILTIN_CHANNELS)
        if not channels:
            continue
        values: dict[str, Schema | Reference] = {
            name: Schema(type=OpenAPIType.STRING) for name in sorted(kind.values)
        }
        variants.append(
            Schema(
                required=["kind"] if Channel.EMAIL in kind.channels else ["kind", "channel"],
                properties={
                    "kind": Schema(const=kind.name),
                    "channel": Schema(enum=channels),
                    "values": Schema(
                        type=OpenAPIType.OBJECT, properties=values, additional_properties=False
                    ),
                },
            )
        )
    return variants


class PreviewBody(RequestBody):
    kind: Annotated[
        str,
        msgspec.Meta(
            description="The kind of notification (each is listed, with its channels and "
            "values, in the body's oneOf).",
            examples=["session_invitation"],
        ),
    ]
    channel: Annotated[Channel, msgspec.Meta(description="email, sms or push")] = Channel.EMAIL
    locale: Locale = Locale.EN
    values: Annotated[
        dict[str, str],
        msgspec.Meta(
            description="Values to show instead of the kind's examples.",
            examples=[{"guest_name": "Gus Guest"}],
        ),
    ] = msgspec.field(default_factory=dict)

    @classmethod
    def openapi_extra(cls) -> dict[str, Any]:
        """The kinds known when the document is built, plugins' included."""
        return {"one_of": _per_kind()}


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
