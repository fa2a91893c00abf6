"""Renders notification templates kept as one TOML file per kind, one table per language
and channel, with e-mail HTML bodies placed in a shared layout.

Jinja's sandbox and ``StrictUndefined`` are used so that a template (and later a
tenant's override) can neither reach Python internals nor send a message with a hole
where a value was missing. HTML is autoescaped; text and SMS are not.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import StrictUndefined
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from core.notifications.model import Channel
from ports.templates import RenderedMessage, TemplateError

_TEXT = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
)
_HTML = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


class JinjaTemplateRenderer:
    def render(
        self, kind: str, channel: Channel, locale: str, values: Mapping[str, str]
    ) -> RenderedMessage:
        parts = _parts(kind, channel, locale)
        try:
            text = _TEXT.from_string(parts["text"]).render(values)
            subject = (
                _TEXT.from_string(parts["subject"]).render(values) if "subject" in parts else None
            )
            html = None
            if "html" in parts:
                body = _HTML.from_string(parts["html"]).render(values)
                page = {**values, "subject": subject, "body": Markup(body)}  # noqa: S704 - autoescaped above
                html = _HTML.from_string(_layout()).render(page)
        except JinjaError as exc:
            raise TemplateError(f"{kind}/{channel.value}/{locale}: {exc}") from exc
        return RenderedMessage(text=text, subject=subject.strip() if subject else None, html=html)


def _parts(kind: str, channel: Channel, locale: str) -> dict[str, str]:
    try:
        return dict(_templates(kind)[locale][channel.value])
    except KeyError as exc:
        raise TemplateError(f"no template for {kind} by {channel.value} in {locale}") from exc


@cache
def _templates(kind: str) -> dict[str, Any]:
    resource = files("adapters.jinja") / "templates" / f"{kind}.toml"
    if not resource.is_file():
        raise TemplateError(f"no templates for kind {kind}")
    return tomllib.loads(resource.read_text(encoding="utf-8"))


@cache
def _layout() -> str:
    return (files("adapters.jinja") / "templates" / "layout.html").read_text(encoding="utf-8")
