"""Turning a notification's kind, language and values into the words that are sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from core.notifications.model import Channel


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """``subject`` for e-mail (push: the title), ``text`` always, ``html`` for e-mail."""

    text: str
    subject: str | None = None
    html: str | None = None


class TemplateError(Exception):
    """The template is missing, or refers to a value the message does not carry."""


class TemplateRenderer(Protocol):
    def render(
        self, kind: str, channel: Channel, locale: str, values: Mapping[str, str]
    ) -> RenderedMessage:
        """Render; raises TemplateError rather than sending a message with a hole in it."""
        ...
