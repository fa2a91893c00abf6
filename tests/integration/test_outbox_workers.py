"""Several workers on one outbox: each message delivered once, a dead worker's rows recovered."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from dependency_injector import providers

from adapters.memory.clock import FixedClock
from apps.container import Container
from apps.worker.outbox_worker import OutboxWorker
from core.notifications.model import Channel, Fallback, NotificationStatus, OutboxMessage
from core.notifications.routing import Route, queued_message
from core.tenants.model import Tenant
from core.tenants.services import CreateTenant, create_tenant
from plugins.manager import build_plugins
from ports.mail import MailMessage
from ports.notification_channel import ChannelDeliveryError, ChannelMessage
from tests.integration.conftest import ADMIN_PASSWORD
from tests.unit.test_plugin_notification_channels import ChatPlugin


class SlowRecordingSender:
    """Takes a little time per message, so concurrent workers really overlap."""

    def __init__(self) -> None:
        self.sent: list[MailMessage] = []

    async def send(self, message: MailMessage) -> None:
        await asyncio.sleep(0.005)
        self.sent.append(message)


class ChatDesk:
    """A plugin channel's sender: delivers to everyone but @gone, who left the chat."""

    def __init__(self) -> None:
        self.sent: list[ChannelMessage] = []

    async def send(self, message: ChannelMessage) -> None:
        if message.recipient == "@gone":
            raise ChannelDeliveryError("@gone left ACME Chat", retryable=False)
        self.sent.append(message)


async def _tenant_with_messages(
    container: Container, count: int
) -> tuple[Tenant, list[OutboxMessage]]:
    tenant, _ = await create_tenant(
        CreateTenant("acme", "ACME", "a@b.example", ADMIN_PASSWORD, "Ada"),
        container.tenant_dependencies(),
        actor="test",
    )
    invitation = {
        "guest_name": "G",
        "inviter_name": "A",
        "session_id": "s",
        "session_reference": "r",
    }
    now = container.clock().now()
    messages = [
        _queued("session_invitation", Channel.EMAIL, f"guest{n}@supplier.example", invitation, now)
        for n in range(count)
    ]
    await _add(container, tenant, messages)
    return tenant, messages


def _queued(
    kind: str,
    channel: str,
    recipient: str,
    payload: dict[str, str],
    now: datetime,
    fallbacks: tuple[Fallback, ...] = (),
) -> OutboxMessage:
    return queued_message(kind, Route(channel, recipient, fallbacks), payload, now)


async def _add(container: Container, tenant: Tenant, messages: list[OutboxMessage]) -> None:
    async with container.tenant_uow()(tenant.id) as uow:
        for message in messages:
            await uow.outbox.add(message)
        await uow.commit()


async def test_concurrent_workers_deliver_every_message_exactly_once(container: Container) -> None:
    sender = SlowRecordingSender()
    container.mail.override(providers.Object(sender))
    container.channel_senders.reset()
    container.delivery_dependencies.reset()
    container.settings().worker.batch_size = 5
    tenant, messages = await _tenant_with_messages(container, 40)

    workers = [OutboxWorker(container) for _ in range(4)]
    while len(sender.sent) < len(messages):
        reports = await asyncio.gather(*(w.run_once() for w in workers))
        assert sum(r.attempted for r in reports) > 0

    recipients = [m.to for m in sender.sent]
    assert sorted(recipients) == sorted(m.recipient for m in messages)
    async with container.tenant_uow()(tenant.id) as uow:
        stored = [await uow.outbox.get(m.id) for m in messages]
    assert {s.status for s in stored if s} == {NotificationStatus.SENT}
    assert {s.attempts for s in stored if s} == {1}


async def test_rows_of_a_worker_that_died_are_reclaimed_after_the_lease(
    container: Container,
) -> None:
    clock = FixedClock(container.clock().now())
    container.clock.override(providers.Object(clock))
    sender = SlowRecordingSender()
    container.mail.override(providers.Object(sender))
    container.channel_senders.reset()
    container.delivery_dependencies.reset()
    tenant, messages = await _tenant_with_messages(container, 3)

    async with container.tenant_uow()(tenant.id) as uow:
        for message in await uow.outbox.due(clock.now(), 10):
            await uow.outbox.save(message.claimed(clock.now(), timedelta(seconds=60)))
        await uow.commit()

    worker = OutboxWorker(container)
    clock.advance(timedelta(seconds=59))
    assert (await worker.run_once()).attempted == 0
    clock.advance(timedelta(seconds=2))
    assert (await worker.run_once()).sent == 3
    assert sorted(m.to for m in sender.sent) == sorted(m.recipient for m in messages)


async def test_invitation_marks_the_dispatch_index_and_a_worker_pass_clears_it(
    container: Container,
) -> None:
    sender = SlowRecordingSender()
    container.mail.override(providers.Object(sender))
    container.channel_senders.reset()
    container.delivery_dependencies.reset()
    container.dispatch_dependencies.reset()
    tenant, _ = await _tenant_with_messages(container, 2)
    index = container.dispatch_index()
    now = container.clock().now()

    (entry,) = await index.due(now + timedelta(seconds=1), 10)
    assert entry.tenant_id == tenant.id
    await index.mark(tenant.id, now)
    assert not await index.settle(entry, None)

    assert (await OutboxWorker(container).run_once()).sent == 2
    assert await index.due(now + timedelta(days=1), 10) == []


async def test_full_scan_recovers_work_whose_index_mark_was_lost(container: Container) -> None:
    sender = SlowRecordingSender()
    container.mail.override(providers.Object(sender))
    container.channel_senders.reset()
    container.delivery_dependencies.reset()
    container.dispatch_dependencies.reset()
    await _tenant_with_messages(container, 1)
    index = container.dispatch_index()
    (entry,) = await index.due(container.clock().now() + timedelta(seconds=1), 10)
    assert await index.settle(entry, None)

    worker = OutboxWorker(container)
    assert (await worker.run_once()).attempted == 0
    assert await worker.rebuild_index() == 1
    assert (await worker.run_once()).sent == 1
    assert [m.to for m in sender.sent] == ["guest0@supplier.example"]


async def test_the_worker_delivers_plugin_channels_and_gives_up_unknown_ones_for_good(
    container: Container,
) -> None:
    desk, mail = ChatDesk(), SlowRecordingSender()
    plugins = build_plugins(extra=(ChatPlugin(desk),), load_entry_points=False)
    channels = plugins.notification_channels()
    container.notification_channels.override(providers.Object(channels))
    container.notification_kinds.override(
        providers.Object(plugins.notification_kinds(channels).register())
    )
    container.mail.override(providers.Object(mail))
    container.renderer.reset()
    container.plugin_channel_senders.reset()
    container.channel_senders.reset()
    container.delivery_dependencies.reset()
    container.dispatch_dependencies.reset()
    tenant, _ = await _tenant_with_messages(container, 0)
    now, ping = container.clock().now(), {"who": "Ada", "locale": "en"}
    to_fred = _queued("chat_ping", "chat", "@fred", ping, now)
    to_gone = _queued(
        "chat_ping", "chat", "@gone", ping, now, (Fallback(Channel.EMAIL, "g@acme.example"),)
    )
    paged = _queued("chat_ping", "pager", "+32470123456", ping, now)
    await _add(container, tenant, [to_fred, to_gone, paged])

    worker = OutboxWorker(container)
    first, second = await worker.run_once(), await worker.run_once()

    assert (first.sent, first.dead, first.fell_back, second.sent) == (1, 2, 1, 1)
    assert [(m.recipient, m.subject, m.text) for m in desk.sent] == [
        ("@fred", "Ping from ACME", "Ada pinged you.")
    ]
    assert [m.to for m in mail.sent] == ["g@acme.example"]
    async with container.tenant_uow()(tenant.id) as uow:
        stored = {m.recipient: await uow.outbox.get(m.id) for m in (to_fred, to_gone, paged)}
    assert {r: (m.channel, m.status, m.last_error) for r, m in stored.items() if m} == {
        "@fred": ("chat", NotificationStatus.SENT, None),
        "@gone": ("chat", NotificationStatus.DEAD, "@gone left ACME Chat"),
        "+32470123456": (
            "pager",
            NotificationStatus.DEAD,
            "no plugin registers the channel pager (any more)",
        ),
    }
