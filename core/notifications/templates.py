"""What each kind of notification says, per language.

Kept as plain data so a later template engine or tenant override replaces the text,
not the delivery code.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import InvalidInput
from core.notifications.model import OutboxMessage


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    text: str


_INVITATION = {
    "en": (
        "{inviter_name} invites you to a remote-assistance session",
        "Hello {guest_name},\n\n{inviter_name} invites you to join the remote-assistance "
        'session "{session_reference}".\n\nJoin here: {join_url}\n',
    ),
    "fr": (
        "{inviter_name} vous invite à une session d'assistance à distance",
        "Bonjour {guest_name},\n\n{inviter_name} vous invite à rejoindre la session "
        "d'assistance à distance « {session_reference} ».\n\nRejoindre : {join_url}\n",
    ),
    "nl": (
        "{inviter_name} nodigt u uit voor een sessie met hulp op afstand",
        "Hallo {guest_name},\n\n{inviter_name} nodigt u uit voor de sessie met hulp op "
        'afstand "{session_reference}".\n\nDeelnemen: {join_url}\n',
    ),
}

_TEMPLATES = {"session_invitation": _INVITATION}


def render_mail(message: OutboxMessage, *, public_url: str) -> RenderedMail:
    """Fill the template of the message's kind in the message's language."""
    by_locale = _TEMPLATES.get(message.kind)
    if by_locale is None:
        raise InvalidInput(f"no template for notification kind '{message.kind}'", field="kind")
    locale = message.payload.get("locale", "en")
    subject, text = by_locale.get(locale, by_locale["en"])
    values = dict(message.payload)
    values["join_url"] = f"{public_url.rstrip('/')}/join/{message.payload.get('session_id', '')}"
    return RenderedMail(subject=subject.format_map(values), text=text.format_map(values))
