"""Notification templates: every kind in every language and channel renders completely."""

from __future__ import annotations

import pytest

from adapters.jinja.renderer import JinjaTemplateRenderer
from core.notifications.kinds import KINDS, LOCALES
from core.notifications.model import Channel
from ports.templates import TemplateError

renderer = JinjaTemplateRenderer()
CASES = [
    (kind.name, channel, locale)
    for kind in KINDS.values()
    for channel in sorted(kind.channels)
    for locale in LOCALES
]


@pytest.mark.parametrize(("kind", "channel", "locale"), CASES)
def test_every_kind_renders_in_every_language_and_channel(
    kind: str, channel: Channel, locale: str
) -> None:
    rendered = renderer.render(kind, channel, locale, KINDS[kind].example)

    assert rendered.text.strip()
    assert "{{" not in rendered.text
    if channel is Channel.EMAIL:
        assert rendered.subject
        assert rendered.html is not None
        assert "ACME Industries" in rendered.html
        assert "{{" not in rendered.html
    if channel is Channel.PUSH:
        assert rendered.subject
    if channel is Channel.SMS:
        assert rendered.subject is None
        assert rendered.html is None


def test_a_missing_value_is_an_error_not_a_hole_in_the_message() -> None:
    values = dict(KINDS["session_invitation"].example)
    del values["session_id"]
    with pytest.raises(TemplateError, match="session_id"):
        renderer.render("session_invitation", Channel.EMAIL, "en", values)


def test_values_are_escaped_in_html_and_kept_as_is_in_text() -> None:
    values = {**KINDS["session_invitation"].example, "guest_name": "<b>Gus</b> & co"}
    rendered = renderer.render("session_invitation", Channel.EMAIL, "en", values)
    assert "&lt;b&gt;Gus&lt;/b&gt; &amp; co" in (rendered.html or "")
    assert "<b>Gus</b> & co" in rendered.text


def test_unknown_kind_or_missing_language_is_a_template_error() -> None:
    with pytest.raises(TemplateError):
        renderer.render("birthday_card", Channel.EMAIL, "en", {})
    with pytest.raises(TemplateError):
        renderer.render(
            "session_invitation", Channel.EMAIL, "de", KINDS["session_invitation"].example
        )
