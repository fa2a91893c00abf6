"""A plugin adds an outbox channel: kinds chain it, the outbox delivers through its sender
with the retries, dead letters and fallbacks of every channel, and bad names are refused."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.jinja.renderer import JinjaTemplateRenderer
from adapters.memory.clock import FixedClock
from adapters.memory.mail_sender import RecordingMailSender
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from apps.cli import plugin_commands
from core.notifications import channels
from core.notifications.channels import ChannelSenders
from core.notifications.model import Channel, Fallback, NotificationStatus, OutboxMessage
from core.notifications.routing import Route, queued_message
from core.notifications.services import DeliveryDependencies, deliver_due
from plugins.hookspecs import hookimpl
from plugins.manager import PluginSet, build_plugins
from plugins.notification_channels import NotificationChannels
from plugins.notification_kinds import NotificationKinds
from plugins.registry import AdapterContext
from ports.notification_channel import ChannelDeliveryError, ChannelMessage, ChannelSender

TENANT = uuid.uuid4()
WORDS = {
    "chat": {"subject": "Ping from {{ tenant_name }}", "text": "{{ who }} pinged you.\n"},
    "email": {"subject": "Ping", "text": "{{ who }} pinged you by mail."},
}


class RecordingChatSender:
    """Delivers, or raises what it was told to."""

    def __init__(self, failure: Exception | None = None) -> None:
        self.sent: list[ChannelMessage] = []
        self.failure = failure

    async def send(self, message: ChannelMessage) -> None:
        if self.failure is not None:
            raise self.failure
        self.sent.append(message)


class ChatPlugin:
    def __init__(self, sender: ChannelSender) -> None:
        self.sender = sender

    @hookimpl
    def register_notification_channels(self, channels: NotificationChannels) -> None:
        channels.add("chat", sender=self.sender, description="ACME Chat", subject=True)

    @hookimpl
    def register_notification_kinds(self, kinds: NotificationKinds) -> None:
        kinds.add(
            "chat_ping",
            example={"who": "Ada"},
            templates={locale: WORDS for locale in ("en", "fr", "nl")},
            chain=["chat", Channel.EMAIL],
        )


class RivalChatPlugin:
    @hookimpl
    def register_notification_channels(self, channels: NotificationChannels) -> None:
        channels.add("chat", sender=RecordingChatSender(), description="Another chat")


class BrokenFactoryPlugin:
    @hookimpl
    def register_notification_channels(self, channels: NotificationChannels) -> None:
        channels.add("pager", factory=_no_pager, description="A pager that needs settings")


def _no_pager(context: AdapterContext) -> RecordingChatSender:
    raise RuntimeError("[plugins.pager] has no url")


def _plugins(*plugins: object) -> PluginSet:
    return build_plugins(extra=plugins, load_entry_points=False)


def _delivery(
    plugins: PluginSet,
    clock: FixedClock,
    uow: MemoryTenantUnitOfWorkFactory,
    senders: ChannelSenders,
) -> DeliveryDependencies:
    channels = plugins.notification_channels()
    kinds = plugins.notification_kinds(channels).register()
    context = AdapterContext(blocks={}, clock=clock, data_dir=Path("."))
    wired = replace(
        senders,
        renderer=JinjaTemplateRenderer(kinds.templates()),
        plugin_channels=channels.senders(context),
    )
    return DeliveryDependencies(
        tenant_uow=uow, senders=wired, clock=clock, public_url="https://demo.passerelle.test"
    )


def _queue(
    uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock, fallbacks: tuple[Fallback, ...] = ()
) -> OutboxMessage:
    ping = {"who": "Ada", "locale": "fr"}
    message = queued_message("chat_ping", Route("chat", "@fred", fallbacks), ping, clock.now())
    uow.data(TENANT).outbox[message.id] = message
    return message


def _stored(uow: MemoryTenantUnitOfWorkFactory, message: OutboxMessage) -> OutboxMessage:
    return uow.data(TENANT).outbox[message.id]


async def test_a_plugin_channel_delivers_the_words_its_kind_gives_it(
    clock: FixedClock, uow: MemoryTenantUnitOfWorkFactory, senders: ChannelSenders
) -> None:
    chat = RecordingChatSender()
    deps = _delivery(_plugins(ChatPlugin(chat)), clock, uow, senders)
    message = _queue(uow, clock)

    report = await deliver_due(TENANT, deps, tenant_name="ACME")

    assert report.sent == 1
    assert chat.sent == [
        ChannelMessage(
            tenant_id=TENANT,
            message_id=message.id,
            kind="chat_ping",
            recipient="@fred",
            locale="fr",
            text="Ada pinged you.",
            subject="Ping from ACME",
            payload={"who": "Ada", "locale": "fr"},
        )
    ]
    assert _stored(uow, message).status is NotificationStatus.SENT


async def test_a_retryable_failure_is_retried_on_the_outbox_schedule(
    clock: FixedClock, uow: MemoryTenantUnitOfWorkFactory, senders: ChannelSenders
) -> None:
    chat = RecordingChatSender(ChannelDeliveryError("chat is down", retryable=True))
    deps = _delivery(_plugins(ChatPlugin(chat)), clock, uow, senders)
    message = _queue(uow, clock)

    await deliver_due(TENANT, deps, tenant_name="ACME")

    stored = _stored(uow, message)
    assert (stored.status, stored.attempts, stored.last_error) == (
        NotificationStatus.FAILED,
        1,
        "chat is down",
    )
    assert stored.next_attempt_at > clock.now()


async def test_a_permanent_failure_is_dead_and_falls_back_to_the_next_channel(
    clock: FixedClock,
    uow: MemoryTenantUnitOfWorkFactory,
    senders: ChannelSenders,
    mail: RecordingMailSender,
) -> None:
    chat = RecordingChatSender(ChannelDeliveryError("no such user @fred", retryable=False))
    deps = _delivery(_plugins(ChatPlugin(chat)), clock, uow, senders)
    message = _queue(uow, clock, (Fallback(Channel.EMAIL, "fred@acme.example"),))

    report = await deliver_due(TENANT, deps, tenant_name="ACME")
    await deliver_due(TENANT, deps, tenant_name="ACME")

    assert (report.dead, report.fell_back) == (1, 1)
    assert _stored(uow, message).last_error == "no such user @fred"
    assert [m.to for m in mail.sent] == ["fred@acme.example"]


async def test_a_sender_that_crashes_is_retried_not_the_worker(
    clock: FixedClock, uow: MemoryTenantUnitOfWorkFactory, senders: ChannelSenders
) -> None:
    chat = RecordingChatSender(KeyError("token"))
    deps = _delivery(_plugins(ChatPlugin(chat)), clock, uow, senders)
    message = _queue(uow, clock)

    await deliver_due(TENANT, deps, tenant_name="ACME")

    stored = _stored(uow, message)
    assert (stored.status, stored.last_error) == (NotificationStatus.FAILED, "KeyError: 'token'")


class HungChatSender:
    async def send(self, message: ChannelMessage) -> None:
        await asyncio.Event().wait()


async def test_a_sender_that_never_answers_is_given_up_for_this_attempt_and_retried(
    clock: FixedClock,
    uow: MemoryTenantUnitOfWorkFactory,
    senders: ChannelSenders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(channels, "PLUGIN_SEND_TIMEOUT", timedelta(milliseconds=20))
    deps = _delivery(_plugins(ChatPlugin(HungChatSender())), clock, uow, senders)
    message = _queue(uow, clock)

    await deliver_due(TENANT, deps, tenant_name="ACME")

    stored = _stored(uow, message)
    assert stored.status is NotificationStatus.FAILED
    assert stored.last_error == "the sender gave no answer within 0.02 s"


async def test_a_message_whose_channel_is_no_longer_registered_fails_for_good(
    clock: FixedClock, uow: MemoryTenantUnitOfWorkFactory, senders: ChannelSenders
) -> None:
    deps = _delivery(_plugins(), clock, uow, senders)
    message = _queue(uow, clock)

    report = await deliver_due(TENANT, deps, tenant_name="ACME")

    stored = _stored(uow, message)
    assert report.dead == 1
    assert stored.last_error == "no plugin registers the channel chat (any more)"


async def test_a_channel_whose_sender_cannot_be_built_retries_its_messages_naming_the_plugin(
    clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    plugins = build_plugins(load_entry_points=False)
    plugins.manager.register(BrokenFactoryPlugin(), name="acme-pager")
    context = AdapterContext(blocks={}, clock=clock, data_dir=Path("."))

    built = plugins.notification_channels().senders(context)

    assert "plugin acme-pager could not build the sender of pager" in caplog.text
    with pytest.raises(ChannelDeliveryError) as refused:
        await built["pager"].send(
            ChannelMessage(TENANT, uuid.uuid4(), "chat_ping", "@ada", "en", "hi", None, {})
        )
    assert refused.value.retryable
    assert refused.value.reason == (
        "plugin acme-pager could not build it: [plugins.pager] has no url"
    )


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Chat", "lowercase"),
        ("c", "2 to 10"),
        ("ticketing_x", "2 to 10"),
        ("9lives", "starting with a letter"),
        ("chat-ops", "underscores"),
        ("sms", "built-in channel"),
        ("webhook", "built-in channel"),
    ],
)
def test_a_channel_name_must_be_a_short_slug_no_built_in_has(name: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        NotificationChannels().add(name, sender=RecordingChatSender(), description="-")


def test_a_channel_needs_a_sender_or_a_factory_not_both() -> None:
    channels = NotificationChannels()

    with pytest.raises(ValueError, match="either a sender or a factory"):
        channels.add("chat", description="-")
    with pytest.raises(ValueError, match="either a sender or a factory"):
        channels.add(
            "chat",
            sender=RecordingChatSender(),
            factory=lambda _: RecordingChatSender(),
            description="-",
        )


def test_a_second_plugin_adding_the_same_channel_is_refused_at_start_up_naming_both() -> None:
    plugins = build_plugins(load_entry_points=False)
    plugins.manager.register(ChatPlugin(RecordingChatSender()), name="acme-chat")
    plugins.manager.register(RivalChatPlugin(), name="rival-chat")

    channels = plugins.notification_channels()

    assert channels.added["chat"].plugin == "acme-chat"
    assert plugins.hook_errors == {
        "rival-chat": [
            "register_notification_channels: ValueError: "
            "chat: plugin acme-chat already adds this channel"
        ]
    }


def test_a_kind_must_word_a_plugin_channel_of_its_chain_in_every_language() -> None:
    channels = _plugins(ChatPlugin(RecordingChatSender())).notification_channels()
    kinds = NotificationKinds(channels=channels)
    untitled = {"chat": {"text": "{{ who }} pinged you."}}

    with pytest.raises(ValueError, match="no chat template in en"):
        kinds.add(
            "untitled_ping", example={"who": "Ada"}, templates={"en": untitled}, chain=["chat"]
        )
    with pytest.raises(ValueError, match="known: email, sms, push, chat"):
        kinds.add("paged", example={}, templates={}, chain=["pager"])


def test_the_plugins_command_lists_the_channels_a_plugin_adds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plugin = ChatPlugin(RecordingChatSender())
    monkeypatch.setattr(
        plugin_commands,
        "build_plugins",
        lambda **options: build_plugins(extra=(plugin,), load_entry_points=False, **options),
    )

    rows = plugin_commands.plugin_rows()

    [row] = [row for row in rows if "channel=chat" in row.provides]
    assert "register_notification_channels" in row.hooks
