"""The notification kinds plugins add: each with its channels, values, templates and chain.

A plugin implements ``register_notification_kinds(kinds)`` and calls ``kinds.add``::

    kinds.add(
        "inspection_due",
        example={"site": "Pump house 3", "due_on": "2026-12-01"},
        templates={"en": {"email": {"subject": "...", "text": "..."}, "sms": {"text": "..."}},
                   "fr": {...}, "nl": {...}},
        chain=[Channel.EMAIL, Channel.SMS],
    )

The kind is then known like a built-in one: its messages are routed by its chain (a
deployment may change it in ``notifications.chains``), rendered from its templates
(sandboxed Jinja, values checked), previewed, and worded per tenant. Templates are the
same shape as the built-in TOML files: locale, then channel, then ``subject``, ``text``
and, for e-mail, ``html``; every language of the platform needs every channel of the
chain, so no message can go out without words. A chain may name channels plugins add
(``plugins.notification_channels``): the kind words them too, under the channel's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from core.notifications.kinds import BUILTIN_KINDS, LOCALES, NotificationKind, add_kind
from core.notifications.model import Channel, channel_named
from plugins.notification_channels import NotificationChannels

Templates = Mapping[str, Mapping[str, Mapping[str, str]]]
"""locale -> channel -> part (``subject``, ``text``, ``html``) -> Jinja source."""
TEMPLATE_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.PUSH)
COMMON_VALUES = ("tenant_name", "public_url")
"""Values every kind carries: the platform fills them in."""


@dataclass(frozen=True, slots=True)
class PluginKind:
    kind: NotificationKind
    templates: Templates
    chain: tuple[str, ...]
    plugin: str


@dataclass
class NotificationKinds:
    """Filled by the plugins' ``register_notification_kinds`` hooks, in load order.

    ``channels``: those plugins added, which chains may name."""

    added: dict[str, PluginKind] = field(default_factory=dict)
    current_plugin: str = ""
    channels: NotificationChannels = field(default_factory=NotificationChannels)

    def add(
        self,
        name: str,
        *,
        example: Mapping[str, str],
        templates: Templates,
        chain: Iterable[str],
    ) -> None:
        """Raise ValueError naming what is wrong; the plugin's hook failure is isolated."""
        channels = tuple(channel_named(channel) for channel in chain)
        known = (*TEMPLATE_CHANNELS, *self.channels.added)
        if not channels or any(c not in known for c in channels):
            raise ValueError(
                f"{name}: a chain of e-mail, SMS, push or plugins' channels is needed "
                f"(known: {', '.join(known)})"
            )
        if name in BUILTIN_KINDS:
            raise ValueError(f"{name}: a built-in notification kind has this name")
        for locale in LOCALES:
            for channel in channels:
                parts = templates.get(locale, {}).get(channel, {})
                if "text" not in parts or (self._has_subject(channel) and "subject" not in parts):
                    raise ValueError(f"{name}: no {channel} template in {locale}")
        values = {value: f"({value})" for value in COMMON_VALUES} | dict(example)
        kind = NotificationKind(name, frozenset(channels), values)
        self.added[name] = PluginKind(kind, templates, channels, self.current_plugin)

    def _has_subject(self, channel: str) -> bool:
        added = self.channels.added.get(channel)
        return channel == Channel.EMAIL or (added is not None and added.subject)

    def chains(self) -> dict[str, tuple[str, ...]]:
        return {name: added.chain for name, added in self.added.items()}

    def templates(self) -> dict[str, Templates]:
        return {name: added.templates for name, added in self.added.items()}

    def register(self) -> NotificationKinds:
        """Make the kinds known to the core's catalogue; returns self for the container."""
        for added in self.added.values():
            add_kind(added.kind)
        return self
