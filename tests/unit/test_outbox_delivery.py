"""Outbox delivery: at least once, backoff with a bound, dead letters, leases that expire."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.mail_sender import RecordingMailSender
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.notifications.model import (
    DEFAULT_MAX_ATTEMPTS,
    Channel,
    NotificationStatus,
    OutboxMessage,
    retry_delay,
)
from core.notifications.services import DeliveryDependencies, deliver_due
from ports.mail import MailDeliveryError, MailMessage

TENANT = uuid.uuid4()


def _queue(uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock, **payload: str) -> OutboxMessage:
    message = OutboxMessage(
        id=uuid.uuid4(),
        kind="session_invitation",
        channel=Channel.EMAIL,
        recipient="gus@supplier.example",
        payload={
            "guest_name": "Gus",
            "inviter_name": "Ada",
            "session_id": str(uuid.uuid4()),
            "session_reference": "Pump",
            "locale": "en",
            **payload,
        },
        status=NotificationStatus.QUEUED,
        attempts=0,
        next_attempt_at=clock.now(),
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    uow.data(TENANT).outbox[message.id] = message
    return message


def _stored(uow: MemoryTenantUnitOfWorkFactory, message: OutboxMessage) -> OutboxMessage:
    return uow.data(TENANT).outbox[message.id]


async def test_due_message_is_rendered_sent_and_marked_sent(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    mail: RecordingMailSender,
    delivery_deps: DeliveryDependencies,
) -> None:
    message = _queue(uow, clock, locale="fr")
    report = await deliver_due(TENANT, delivery_deps, tenant_name="ACME")

    assert report.sent == 1
    (sent,) = mail.sent
    assert sent.to == "gus@supplier.example"
    assert sent.subject.startswith("Ada vous invite")
    assert f"https://demo.passerelle.test/join/{message.payload['session_id']}" in sent.text
    assert sent.headers["X-Passerelle-Notification"] == str(message.id)
    stored = _stored(uow, message)
    assert stored.status is NotificationStatus.SENT
    assert stored.attempts == 1
    assert stored.sent_at == clock.now()


async def test_temporary_failure_is_retried_later_not_now(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    mail: RecordingMailSender,
    delivery_deps: DeliveryDependencies,
) -> None:
    message = _queue(uow, clock)
    mail.failures.append(MailDeliveryError("451 try later", retryable=True))

    first = await deliver_due(TENANT, delivery_deps, tenant_name="ACME")
    immediately = await deliver_due(TENANT, delivery_deps, tenant_name="ACME")
    failed = _stored(uow, message)
    clock.current = failed.next_attempt_at
    later = await deliver_due(TENANT, delivery_deps, tenant_name="ACME")

    assert (first.retried, immediately.attempted, later.sent) == (1, 0, 1)
    assert failed.status is NotificationStatus.FAILED
    assert failed.last_error == "451 try later"
    assert _stored(uow, message).status is NotificationStatus.SENT
    assert _stored(uow, message).attempts == 2


async def test_permanent_failure_goes_dead_at_once(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    mail: RecordingMailSender,
    delivery_deps: DeliveryDependencies,
) -> None:
    message = _queue(uow, clock)
    mail.failures.append(MailDeliveryError("550 no such user", retryable=False))
    report = await deliver_due(TENANT, delivery_deps, tenant_name="ACME")
    assert report.dead == 1
    assert _stored(uow, message).status is NotificationStatus.DEAD


async def test_retries_stop_after_the_bound_and_all_fall_within_a_day(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    mail: RecordingMailSender,
    delivery_deps: DeliveryDependencies,
) -> None:
    message = _queue(uow, clock)
    start = clock.now()
    mail.failures.extend(MailDeliveryError("421 busy", retryable=True) for _ in range(20))

    for _ in range(DEFAULT_MAX_ATTEMPTS):
        stored = _stored(uow, message)
        clock.current = max(clock.now(), stored.next_attempt_at)
        await deliver_due(TENANT, delivery_deps, tenant_name="ACME")

    final = _stored(uow, message)
    assert final.status is NotificationStatus.DEAD
    assert final.attempts == DEFAULT_MAX_ATTEMPTS
    assert clock.now() - start < timedelta(hours=24)


async def test_message_claimed_by_a_dead_worker_is_taken_again_after_its_lease(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    mail: RecordingMailSender,
    delivery_deps: DeliveryDependencies,
) -> None:
    message = _queue(uow, clock)
    async with uow(TENANT) as work:
        (due,) = await work.outbox.due(clock.now(), 10)
        await work.outbox.save(due.claimed(clock.now(), timedelta(seconds=60)))
        await work.commit()

    clock.advance(timedelta(seconds=30))
    assert (await deliver_due(TENANT, delivery_deps, tenant_name="ACME")).attempted == 0
    clock.advance(timedelta(seconds=31))
    assert (await deliver_due(TENANT, delivery_deps, tenant_name="ACME")).sent == 1
    assert len(mail.sent) == 1
    assert _stored(uow, message).attempts == 2


async def test_unknown_kind_goes_dead_instead_of_looping(
    uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock, delivery_deps: DeliveryDependencies
) -> None:
    message = _queue(uow, clock)
    uow.data(TENANT).outbox[message.id] = replace(message, kind="mystery")
    await deliver_due(TENANT, delivery_deps, tenant_name="ACME")
    assert _stored(uow, message).status is NotificationStatus.DEAD


@pytest.mark.parametrize("attempt", range(1, 9))
def test_backoff_grows_and_is_jittered_within_its_window(attempt: int) -> None:
    low = retry_delay(attempt, lambda a, b: a)
    high = retry_delay(attempt, lambda a, b: b)
    assert low * 2 == high
    assert high <= timedelta(hours=6)
    if attempt > 1:
        assert retry_delay(attempt - 1, lambda a, b: b) <= high


async def test_a_batch_slower_than_its_lease_stops_rather_than_send_what_others_hold(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    mail: RecordingMailSender,
    delivery_deps: DeliveryDependencies,
) -> None:
    first, second = _queue(uow, clock), _queue(uow, clock)

    class SlowSender:
        async def send(self, message: MailMessage) -> None:
            clock.advance(timedelta(seconds=61))
            await mail.send(message)

    senders = replace(delivery_deps.senders, mail=SlowSender())
    report = await deliver_due(TENANT, replace(delivery_deps, senders=senders), tenant_name="ACME")

    assert report.sent == 1
    statuses = {uow.data(TENANT).outbox[m.id].status for m in (first, second)}
    assert statuses == {NotificationStatus.SENT, NotificationStatus.SENDING}
