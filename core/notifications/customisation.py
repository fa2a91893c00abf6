"""What a tenant may change in its notifications: the wording of a kind, and who it is from.

A tenant's wording replaces the platform's template for one kind, channel and language;
it may use only the values that kind carries, so a message never goes out with a hole.
SMS wording must fit ``MAX_SMS_PARTS`` parts with the kind's example values: every part
is billed, and phones reassemble long messages unreliably beyond a few parts.

The sender: a display name for e-mail (the address stays the platform's, whose domain
is authorised to send), a Reply-To address where answers should go, and an SMS sender
id (where networks allow alphanumeric senders).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from core.errors import InvalidInput
from core.identity.model import normalize_email
from core.notifications.kinds import notification_kind, validate_locale
from core.notifications.model import Channel
from core.notifications.sms_text import is_sender_id

MAX_SMS_PARTS = 3
MAX_TEXT = 10_000
MAX_SUBJECT = 200
MAX_HTML = 100_000
MAX_SENDER_NAME = 100


@dataclass(frozen=True, slots=True)
class TemplateKey:
    kind: str
    channel: str
    """Tenants word the built-in channels (the API takes only those); a plugin channel's
    messages are looked up too, and find no wording."""
    locale: str

    def validated(self) -> TemplateKey:
        notification_kind(self.kind, channel=self.channel)
        validate_locale(self.locale)
        return self


@dataclass(frozen=True, slots=True)
class TemplateWording:
    """The parts of a template: ``subject`` (e-mail subject, push title), ``text``, ``html``."""

    text: str
    subject: str | None = None
    html: str | None = None

    def validated(self, channel: str) -> TemplateWording:
        _require_length(self.text, "text", MAX_TEXT)
        if channel == Channel.SMS and self.subject is not None:
            raise InvalidInput("an SMS has no subject", field="subject", code="not_for_channel")
        if channel == Channel.EMAIL and self.subject is None:
            raise InvalidInput("an e-mail needs a subject", field="subject", code="required")
        if self.subject is not None:
            _require_length(self.subject, "subject", MAX_SUBJECT)
            if "\n" in self.subject or "\r" in self.subject:
                raise InvalidInput("a subject is one line", field="subject", code="multiline")
        if self.html is not None:
            if channel != Channel.EMAIL:
                raise InvalidInput("only e-mail has HTML", field="html", code="not_for_channel")
            _require_length(self.html, "html", MAX_HTML)
        return self


@dataclass(frozen=True, slots=True)
class TemplateOverride:
    id: UUID
    key: TemplateKey
    wording: TemplateWording
    created_at: datetime
    updated_at: datetime
    updated_by: UUID


@dataclass(frozen=True, slots=True)
class SenderIdentity:
    mail_from_name: str | None = None
    mail_reply_to: str | None = None
    sms_sender_id: str | None = None

    def validated(self) -> SenderIdentity:
        name = self.mail_from_name
        if name is not None:
            name = " ".join(name.split())
            _require_length(name, "mail_from_name", MAX_SENDER_NAME)
        reply_to = self.mail_reply_to
        if reply_to is not None:
            reply_to = normalize_email(reply_to, field="mail_reply_to")
        if self.sms_sender_id is not None and not is_sender_id(self.sms_sender_id):
            raise InvalidInput(
                "an SMS sender id is up to 11 letters, digits and spaces, or 3 to 15 digits",
                field="sms_sender_id",
                code="invalid_sender_id",
            )
        return SenderIdentity(name, reply_to, self.sms_sender_id)


@dataclass(frozen=True, slots=True)
class TenantCustomisation:
    """What one tenant changed, as a delivery batch needs it: read once per batch."""

    tenant_id: UUID
    sender: SenderIdentity = field(default_factory=SenderIdentity)
    overrides: Mapping[TemplateKey, TemplateOverride] = field(default_factory=dict)

    def wording_for(self, kind: str, channel: str, locale: str) -> TemplateWording | None:
        override = self.overrides.get(TemplateKey(kind, channel, locale))
        return override.wording if override is not None else None


def _require_length(value: str, field: str, maximum: int) -> None:
    if not value.strip() or len(value) > maximum:
        raise InvalidInput(
            f"{field} must be 1-{maximum} characters", field=field, code="invalid_length"
        )
