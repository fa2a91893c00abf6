"""Bodies of the endpoints where a tenant admin words its notifications and names its sender."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from apps.api.fields import Email
from apps.api.schemas import RequestBody, ResponseBody
from core.notifications.customisation import (
    MAX_HTML,
    MAX_SENDER_NAME,
    MAX_SUBJECT,
    MAX_TEXT,
    SenderIdentity,
    TemplateOverride,
    TemplateWording,
)

Subject = Annotated[
    str, msgspec.Meta(max_length=MAX_SUBJECT, description="E-mail subject or push title.")
]
Html = Annotated[
    str, msgspec.Meta(max_length=MAX_HTML, description="E-mail HTML body, placed in the layout.")
]
SenderName = Annotated[
    str,
    msgspec.Meta(
        max_length=MAX_SENDER_NAME,
        pattern=r"\S",
        description="Name shown beside the platform's sender address.",
        examples=["ACME Field Support"],
    ),
]
SenderId = Annotated[
    str,
    msgspec.Meta(
        max_length=15,
        pattern=r"^(?:[0-9]{3,15}|(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9 ]{0,9}"
        r"[A-Za-z0-9])?)$",
        description="Up to 11 letters, digits and inner spaces with at least one letter, or a "
        "number of 3 to 15 digits; unset: the platform's.",
        examples=["ACME"],
    ),
]


class WordingBody(RequestBody):
    text: Annotated[
        str,
        msgspec.Meta(
            max_length=MAX_TEXT,
            description="Jinja template; may use only the kind's values ({{ caller_name }}).",
            examples=["{{ caller_name }} called about {{ session_reference }}: {{ public_url }}"],
        ),
    ]
    subject: Subject | None = None
    html: Html | None = None

    def wording(self) -> TemplateWording:
        return TemplateWording(text=self.text, subject=self.subject, html=self.html)


class WordingOut(ResponseBody):
    id: UUID
    kind: str
    channel: str
    locale: str
    subject: str | None
    text: str
    html: str | None
    created_at: datetime
    updated_at: datetime
    updated_by: UUID

    @classmethod
    def of(cls, override: TemplateOverride) -> WordingOut:
        return cls(
            id=override.id,
            kind=override.key.kind,
            channel=str(override.key.channel),
            locale=override.key.locale,
            subject=override.wording.subject,
            text=override.wording.text,
            html=override.wording.html,
            created_at=override.created_at,
            updated_at=override.updated_at,
            updated_by=override.updated_by,
        )


class WordingPage(ResponseBody):
    items: list[WordingOut]
    next_cursor: str | None


class SenderBody(RequestBody):
    mail_from_name: SenderName | None = None
    mail_reply_to: Email | None = None
    sms_sender_id: SenderId | None = None

    def sender(self) -> SenderIdentity:
        return SenderIdentity(self.mail_from_name, self.mail_reply_to, self.sms_sender_id)


class SenderOut(ResponseBody):
    mail_from_name: str | None
    mail_reply_to: str | None
    sms_sender_id: str | None

    @classmethod
    def of(cls, sender: SenderIdentity) -> SenderOut:
        return cls(sender.mail_from_name, sender.mail_reply_to, sender.sms_sender_id)
