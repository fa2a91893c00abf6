"""The notification channels plugins add: a name kinds put in their chains, and its sender.

A plugin implements ``register_notification_channels(channels)`` and calls ``channels.add``::

    channels.add(
        "chat",
        factory=lambda context: ChatSender(context.settings("acme_chat", ChatSettings)),
        description="ACME Chat direct messages",
        subject=True,
    )

(or ``sender=ChatSender(...)`` when it needs no settings). The outbox then delivers the
messages queued on ``chat`` through the sender (``ports.notification_channel``), with the
retries, dead letters and fallbacks of every channel. The words come from the kinds: a
kind whose chain names the channel gives its templates for it (``text``, and ``subject``
when the channel has ``subject=True``) in every language, as for e-mail or SMS; they are
rendered as plain text. Built-in kinds are not sent on plugin channels.

A name is 2 to 10 lowercase letters, digits or underscores (the outbox stores at most 10
characters), starts with a letter, and names no built-in channel nor another plugin's.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from core.notifications.model import BUILTIN_CHANNELS
from plugins.registry import AdapterContext
from ports.notification_channel import ChannelDeliveryError, ChannelMessage, ChannelSender

log = logging.getLogger(__name__)
SenderFactory = Callable[[AdapterContext], ChannelSender]
NAME = re.compile(r"[a-z][a-z0-9_]{1,9}")


@dataclass(frozen=True, slots=True)
class PluginChannel:
    name: str
    factory: SenderFactory
    description: str
    subject: bool
    """Whether the channel shows a subject (a title): its kinds must then word one."""
    plugin: str


@dataclass
class NotificationChannels:
    """Filled by the plugins' ``register_notification_channels`` hooks, in load order."""

    added: dict[str, PluginChannel] = field(default_factory=dict)
    current_plugin: str = ""

    def add(
        self,
        name: str,
        *,
        sender: ChannelSender | None = None,
        factory: SenderFactory | None = None,
        description: str,
        subject: bool = False,
    ) -> None:
        """Raise ValueError naming what is wrong; the plugin's hook failure is isolated."""
        if not NAME.fullmatch(name):
            raise ValueError(
                f"{name!r}: a channel name is 2 to 10 lowercase letters, digits or "
                "underscores, starting with a letter"
            )
        if name in BUILTIN_CHANNELS:
            raise ValueError(f"{name}: a built-in channel has this name")
        if name in self.added:
            raise ValueError(f"{name}: plugin {self.added[name].plugin} already adds this channel")
        if sender is not None and factory is None:
            factory = _given(sender)
        elif sender is not None or factory is None:
            raise ValueError(f"{name}: give either a sender or a factory")
        self.added[name] = PluginChannel(name, factory, description, subject, self.current_plugin)

    def senders(self, context: AdapterContext) -> dict[str, ChannelSender]:
        """Each channel's sender, built from its settings. A factory that fails is logged
        with its plugin's name and its channel's messages are retried with that reason (a
        fixed setting and a restart deliver them), instead of the worker failing."""
        built: dict[str, ChannelSender] = {}
        for name, added in self.added.items():
            try:
                built[name] = added.factory(context)
            except Exception as exc:
                log.exception("plugin %s could not build the sender of %s", added.plugin, name)
                built[name] = _Unbuilt(f"plugin {added.plugin} could not build it: {exc}")
        return built


class _Unbuilt:
    """The sender of a channel whose factory failed at start-up."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def send(self, message: ChannelMessage) -> None:
        raise ChannelDeliveryError(self.reason, retryable=True)


def _given(sender: ChannelSender) -> SenderFactory:
    return lambda _context: sender
