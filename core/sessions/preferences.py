"""How a person wants to hear about calls: where a ring is pushed, how a missed call is told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from core.errors import InvalidInput
from core.notifications.kinds import validate_locale
from core.notifications.model import Channel
from core.notifications.sms_text import validate_phone

MISSED_CALL_CHANNELS = (Channel.EMAIL, Channel.SMS)


@dataclass(frozen=True, slots=True)
class CallPreference:
    user_id: UUID
    missed_call_channel: Channel
    phone: str | None
    push_token: str | None
    locale: str
    updated_at: datetime

    @classmethod
    def validated(
        cls,
        user_id: UUID,
        missed_call_channel: str,
        phone: str | None,
        push_token: str | None,
        locale: str,
        now: datetime,
    ) -> CallPreference:
        """SMS needs a phone number; e-mail goes to the account's address."""
        if missed_call_channel not in {c.value for c in MISSED_CALL_CHANNELS}:
            raise InvalidInput(
                "missed_call_channel must be email or sms",
                field="missed_call_channel",
                code="unsupported_channel",
            )
        channel = Channel(missed_call_channel)
        number = validate_phone(phone) if phone else None
        if channel is Channel.SMS and number is None:
            raise InvalidInput(
                "a phone number is needed to hear of missed calls by SMS",
                field="phone",
                code="phone_required",
            )
        token = (push_token or "").strip() or None
        if token is not None and len(token) > 4096:
            raise InvalidInput("push_token is too long", field="push_token")
        return cls(user_id, channel, number, token, validate_locale(locale), now)


def default_preference(user_id: UUID, now: datetime) -> CallPreference:
    """Without a choice of their own, people hear of missed calls by e-mail, in English."""
    return CallPreference(user_id, Channel.EMAIL, None, None, "en", now)
