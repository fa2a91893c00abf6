"""Renders notification templates kept as one TOML file per kind, one table per language
and channel, with e-mail HTML bodies placed in a shared layout.

Jinja's sandbox and ``StrictUndefined`` are used so that a template (and later a
tenant's override) can neither reach Python internals nor send a message with a hole
where a value was missing. HTML is autoescaped; text and SMS are not.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

from jinja2 import StrictUndefined, Template, meta
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from core.notifications.customisation import TemplateWording
from ports.templates import RenderedMessage, TemplateError

_TEXT = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
)
_HTML = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


class JinjaTemplateRenderer:
    """``extra``: the templates of kinds that plugins add, by kind, in the TOML files' shape
    (locale, then channel, then parts); compiled once each, like the built-in ones."""

    def __init__(self, extra: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._extra = dict(extra or {})
        self._compiled_extra: dict[tuple[str, str, str], dict[str, Template]] = {}

    def render(
        self, kind: str, channel: str, locale: str, values: Mapping[str, str]
    ) -> RenderedMessage:
        try:
            if kind in self._extra:
                return _render(self._compiled_plugin_kind(kind, channel, locale), values)
            return _render(_compiled(kind, channel, locale), values)
        except JinjaError as exc:
            raise TemplateError(f"{kind}/{channel}/{locale}: {exc}") from exc

    def _compiled_plugin_kind(self, kind: str, channel: str, locale: str) -> dict[str, Template]:
        key = (kind, channel, locale)
        if key not in self._compiled_extra:
            self._compiled_extra[key] = _compile(self._extra[kind], kind, channel, locale)
        return self._compiled_extra[key]

    def render_wording(
        self, wording: TemplateWording, values: Mapping[str, str]
    ) -> RenderedMessage:
        try:
            return _render(_compiled_wording(wording), values)
        except JinjaError as exc:
            raise TemplateError(f"tenant wording: {exc}") from exc

    def check_wording(self, wording: TemplateWording, allowed: frozenset[str]) -> None:
        for part, source in _parts(wording).items():
            environment = _HTML if part == "html" else _TEXT
            try:
                used = meta.find_undeclared_variables(environment.parse(source))
            except JinjaError as exc:
                raise TemplateError(f"{part}: {exc}", part=part) from exc
            unknown = sorted(used - allowed)
            if unknown:
                raise TemplateError(
                    f"{part} uses {unknown[0]}, which this kind does not carry; "
                    f"it carries {', '.join(sorted(allowed))}",
                    part=part,
                )


def _render(compiled: Mapping[str, Template], values: Mapping[str, str]) -> RenderedMessage:
    text = compiled["text"].render(values)
    subject = compiled["subject"].render(values) if "subject" in compiled else None
    html = None
    if "html" in compiled:
        body = compiled["html"].render(values)
        safe_body = Markup(body)  # noqa: S704 - rendered with autoescape just above
        html = _compiled_layout().render({**values, "subject": subject, "body": safe_body})
    return RenderedMessage(text=text, subject=subject.strip() if subject else None, html=html)


def _parts(wording: TemplateWording) -> dict[str, str]:
    parts = {"text": wording.text, "subject": wording.subject, "html": wording.html}
    return {name: source for name, source in parts.items() if source is not None}


@lru_cache(maxsize=1024)
def _compiled_wording(wording: TemplateWording) -> dict[str, Template]:
    """Tenants' wordings compiled once each, the most used kept (a tenant may have dozens)."""
    return {
        name: (_HTML if name == "html" else _TEXT).from_string(source)
        for name, source in _parts(wording).items()
    }


@cache
def _compiled(kind: str, channel: str, locale: str) -> dict[str, Template]:
    """Each template is compiled once per process; compiling cost more than sending."""
    return _compile(_templates(kind), kind, channel, locale)


def _compile(
    templates: Mapping[str, Any], kind: str, channel: str, locale: str
) -> dict[str, Template]:
    try:
        parts = templates[locale][channel]
    except KeyError as exc:
        raise TemplateError(f"no template for {kind} by {channel} in {locale}") from exc
    try:
        return {
            name: (_HTML if name == "html" else _TEXT).from_string(source)
            for name, source in parts.items()
        }
    except JinjaError as exc:
        raise TemplateError(f"{kind}/{channel}/{locale}: {exc}") from exc


@cache
def _compiled_layout() -> Template:
    return _HTML.from_string(_layout())


@cache
def _templates(kind: str) -> dict[str, Any]:
    resource = files("adapters.jinja") / "templates" / f"{kind}.toml"
    if not resource.is_file():
        raise TemplateError(f"no templates for kind {kind}")
    return tomllib.loads(resource.read_text(encoding="utf-8"))


@cache
def _layout() -> str:
    return (files("adapters.jinja") / "templates" / "layout.html").read_text(encoding="utf-8")
