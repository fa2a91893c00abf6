"""The kinds of notification the platform sends: their channels, the values their
templates may use, and example values for previews.

Wording lives in templates (an adapter); which values exist is a domain fact, kept here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from core.errors import InvalidInput
from core.notifications.model import Channel


class Locale(StrEnum):
    """The languages notifications are written in."""

    EN = "en"
    FR = "fr"
    NL = "nl"


LOCALES = tuple(locale.value for locale in Locale)


@dataclass(frozen=True, slots=True)
class NotificationKind:
    name: str
    channels: frozenset[str]
    """``Channel`` members, and for a plugin's kind maybe channels plugins add."""
    example: Mapping[str, str]

    @property
    def values(self) -> frozenset[str]:
        return frozenset(self.example)


_COMMON = {"tenant_name": "ACME Industries", "public_url": "https://acme.passerelle.example"}

KINDS: dict[str, NotificationKind] = {
    kind.name: kind
    for kind in (
        NotificationKind(
            "session_invitation",
            frozenset({Channel.EMAIL, Channel.SMS}),
            {
                **_COMMON,
                "guest_name": "Gus Guest",
                "inviter_name": "Ada Expert",
                "session_id": "6f1c7a7e-2f4e-4c43-9d56-1b0f0e7a9c11",
                "session_reference": "Ticket 4711 - pump P-12",
                "join_token": "q3J9xk2V8sWmZbF1nA7dLr0tYc5hGe4uPo6iKw-Ej_s",
            },
        ),
        NotificationKind(
            "incoming_call",
            frozenset({Channel.PUSH}),
            {
                **_COMMON,
                "caller_name": "Ada Expert",
                "session_id": "6f1c7a7e-2f4e-4c43-9d56-1b0f0e7a9c11",
                "session_reference": "Ticket 4711 - pump P-12",
            },
        ),
        NotificationKind(
            "missed_call",
            frozenset({Channel.EMAIL, Channel.SMS, Channel.PUSH}),
            {
                **_COMMON,
                "callee_name": "Fred Field",
                "caller_name": "Ada Expert",
                "session_reference": "Ticket 4711 - pump P-12",
                "missed_at": "2026-11-28 09:14 UTC",
            },
        ),
        NotificationKind(
            "session_summary",
            frozenset({Channel.EMAIL}),
            {
                **_COMMON,
                "recipient_name": "Ada Expert",
                "session_id": "6f1c7a7e-2f4e-4c43-9d56-1b0f0e7a9c11",
                "session_reference": "Ticket 4711 - pump P-12",
                "duration_minutes": "23",
                "participants": "Ada Expert, Fred Field",
                "outcome": "resolved",
            },
        ),
        NotificationKind(
            "password_reset",
            frozenset({Channel.EMAIL}),
            {
                **_COMMON,
                "user_name": "Ada Expert",
                "reset_url": "https://acme.passerelle.example/reset#token",
                "expires_in_minutes": "30",
            },
        ),
        NotificationKind(
            "account_invitation",
            frozenset({Channel.EMAIL}),
            {
                **_COMMON,
                "user_name": "Fred Field",
                "inviter_name": "Ada Admin",
                "setup_url": "https://acme.passerelle.example/setup#token",
                "expires_in_hours": "72",
            },
        ),
    )
}


BUILTIN_KINDS = frozenset(KINDS)


def add_kind(kind: NotificationKind) -> None:
    """Make a plugin's kind known to the platform (``register_notification_kinds``).

    Adding the same kind again is harmless (every container of a process registers its
    plugins' kinds); a kind that clashes with another of the same name is refused.
    """
    known = KINDS.get(kind.name)
    if known is not None and known != kind:
        raise ValueError(f"notification kind {kind.name} is already defined differently")
    KINDS[kind.name] = kind


def notification_kind(name: str, *, channel: str | None = None) -> NotificationKind:
    kind = KINDS.get(name)
    if kind is None:
        raise InvalidInput(
            f"kind must be one of {', '.join(sorted(KINDS))}", field="kind", code="unknown_kind"
        )
    if channel is not None and channel not in kind.channels:
        raise InvalidInput(
            f"{name} is not sent by {channel}", field="channel", code="unsupported_channel"
        )
    return kind


def validate_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise InvalidInput(
            f"locale must be one of {', '.join(LOCALES)}", field="locale", code="unsupported_locale"
        )
    return locale
