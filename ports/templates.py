"""Turning a notification's kind, language and values into the words that are sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from core.notifications.customisation import TemplateWording


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """``subject`` for e-mail (push: the title), ``text`` always, ``html`` for e-mail."""

    text: str
    subject: str | None = None
    html: str | None = None


class TemplateError(Exception):
    """The template is missing, or refers to a value the message does not carry.

    ``part`` names the part at fault (``subject``, ``text`` or ``html``) when a tenant's
    wording is checked, so the caller can point at the field.
    """

    def __init__(self, message: str, *, part: str | None = None) -> None:
        super().__init__(message)
        self.part = part


class TemplateRenderer(Protocol):
    def render(
        self, kind: str, channel: str, locale: str, values: Mapping[str, str]
    ) -> RenderedMessage:
        """Render; raises TemplateError rather than sending a message with a hole in it.

        ``channel`` is a ``Channel`` member or a plugin channel's name (plain text)."""
        ...

    def render_wording(
        self, wording: TemplateWording, values: Mapping[str, str]
    ) -> RenderedMessage:
        """Render a tenant's own wording, with the same layout and safety as the platform's."""
        ...

    def check_wording(self, wording: TemplateWording, allowed: frozenset[str]) -> None:
        """Raise TemplateError (with ``part``) for a syntax error or a value not allowed."""
        ...
