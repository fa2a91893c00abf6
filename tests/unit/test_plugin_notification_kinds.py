"""A plugin adds a notification kind: it is routed by its chain and rendered from its templates."""

from __future__ import annotations

import pytest

from adapters.jinja.renderer import JinjaTemplateRenderer
from core.notifications.kinds import KINDS
from core.notifications.model import Channel
from core.notifications.preview import preview_notification
from core.notifications.routing import route, validate_chains
from plugins.hookspecs import hookimpl
from plugins.manager import build_plugins
from plugins.notification_kinds import NotificationKinds

WORDS = {
    "email": {"subject": "Inspection of {{ site }}", "text": "{{ site }} is due on {{ due_on }}."},
    "sms": {"text": "{{ site }}: inspection due {{ due_on }}"},
}


class InspectionPlugin:
    @hookimpl
    def register_notification_kinds(self, kinds: NotificationKinds) -> None:
        kinds.add(
            "inspection_due",
            example={"site": "Pump house 3", "due_on": "2026-12-01"},
            templates={locale: WORDS for locale in ("en", "fr", "nl")},
            chain=[Channel.SMS, Channel.EMAIL],
        )


class CarelessPlugin:
    @hookimpl
    def register_notification_kinds(self, kinds: NotificationKinds) -> None:
        kinds.add(
            "half_worded",
            example={},
            templates={"en": WORDS},
            chain=[Channel.EMAIL],
        )


def _kinds(*plugins: object) -> NotificationKinds:
    return build_plugins(extra=plugins, load_entry_points=False).notification_kinds().register()


def test_a_plugin_kind_is_routed_by_its_chain_with_fallbacks() -> None:
    kinds = _kinds(InspectionPlugin())
    chains = validate_chains({}, kinds.chains())

    by_sms = route(
        "inspection_due", {Channel.EMAIL: "a@acme.example", Channel.SMS: "+32470123456"}, chains
    )
    by_mail = route("inspection_due", {Channel.EMAIL: "a@acme.example"}, chains)

    assert (by_sms.channel, [f.channel for f in by_sms.fallbacks]) == (Channel.SMS, [Channel.EMAIL])
    assert by_mail.channel is Channel.EMAIL


def test_a_plugin_kind_is_rendered_from_its_templates_and_previewed() -> None:
    kinds = _kinds(InspectionPlugin())
    renderer = JinjaTemplateRenderer(kinds.templates())

    mail = renderer.render(
        "inspection_due", Channel.EMAIL, "fr", {"site": "Site B", "due_on": "2026-12-24"}
    )
    preview = preview_notification(
        "inspection_due",
        Channel.SMS,
        "en",
        {},
        tenant_name="ACME",
        public_url="https://acme.example",
        renderer=renderer,
    )

    assert (mail.subject, mail.text) == ("Inspection of Site B", "Site B is due on 2026-12-24.")
    assert preview.text == "Pump house 3: inspection due 2026-12-01"


def test_a_deployment_may_reroute_a_plugin_kind() -> None:
    kinds = _kinds(InspectionPlugin())

    chains = validate_chains({"inspection_due": (Channel.EMAIL,)}, kinds.chains())

    assert chains["inspection_due"] == (Channel.EMAIL,)


def test_a_kind_without_words_for_every_language_is_refused_and_the_plugin_named() -> None:
    plugins = build_plugins(extra=(CarelessPlugin(),), load_entry_points=False)

    kinds = plugins.notification_kinds()

    assert kinds.added == {}
    assert "half_worded" not in KINDS
    [errors] = plugins.hook_errors.values()
    assert errors == [
        "register_notification_kinds: ValueError: half_worded: no email template in fr"
    ]


def test_a_plugin_cannot_take_a_built_in_kind_s_name() -> None:
    with pytest.raises(ValueError, match="built-in"):
        NotificationKinds().add("missed_call", example={}, templates={}, chain=[Channel.EMAIL])
