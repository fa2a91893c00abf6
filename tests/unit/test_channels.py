"""Delivery by channel: SMS within the fleet's rate, throttling that never kills a
message, push to a device, and fallbacks to another channel when one gives up."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from adapters.memory.clock import FixedClock
from adapters.memory.mail_sender import RecordingMailSender
from adapters.memory.push_sender import RecordingPushSender
from adapters.memory.sms_sender import RecordingSmsSender
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.notifications.model import (
    DEFAULT_MAX_ATTEMPTS,
    Channel,
    Fallback,
    NotificationStatus,
    OutboxMessage,
)
from core.notifications.services import DeliveryDependencies, deliver_due
from ports.push import PushDeliveryError
from ports.sms import SmsDeliveryError, SmsFailure

TENANT = uuid.uuid4()


def _queue(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    channel: Channel,
    recipient: str,
    *,
    kind: str = "session_invitation",
    fallbacks: tuple[Fallback, ...] = (),
) -> OutboxMessage:
    message = OutboxMessage(
        id=uuid.uuid4(),
        kind=kind,
        channel=channel,
        recipient=recipient,
        payload={
            "guest_name": "Gus",
            "inviter_name": "Ada",
            "callee_name": "Fred",
            "caller_name": "Ada",
            "missed_at": "09:14",
            "session_id": "s-1",
            "session_reference": "Pump",
            "locale": "en",
        },
        status=NotificationStatus.QUEUED,
        attempts=0,
        next_attempt_at=clock.now(),
        created_at=clock.now(),
        updated_at=clock.now(),
        fallbacks=fallbacks,
    )
    uow.data(TENANT).outbox[message.id] = message
    return message


async def _deliver(deps: DeliveryDependencies) -> None:
    await deliver_due(TENANT, deps, tenant_name="ACME")


async def test_sms_is_rendered_for_sms_and_sent_with_tenant_and_notification_as_reference(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    sms: RecordingSmsSender,
    delivery_deps: DeliveryDependencies,
) -> None:
    message = _queue(uow, clock, Channel.SMS, "+32470123456")
    await _deliver(delivery_deps)

    (sent,) = sms.sent
    assert sent.to == "+32470123456"
    assert sent.reference == f"{TENANT.hex}.{message.id.hex}"
    assert sent.text.startswith("Ada invites you")
    assert "https://demo.passerelle.test/join/s-1" in sent.text
    assert uow.data(TENANT).outbox[message.id].status is NotificationStatus.SENT


async def test_throttled_sms_is_deferred_without_spending_an_attempt_and_never_dies(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    sms: RecordingSmsSender,
    delivery_deps: DeliveryDependencies,
) -> None:
    message = _queue(uow, clock, Channel.SMS, "+32470123456")
    throttled = SmsDeliveryError("Throttled", retryable=True, code=SmsFailure.THROTTLED)
    sms.failures.extend([throttled] * (DEFAULT_MAX_ATTEMPTS * 2))

    for _ in range(DEFAULT_MAX_ATTEMPTS * 2):
        clock.current = max(clock.now(), uow.data(TENANT).outbox[message.id].next_attempt_at)
        await _deliver(delivery_deps)
        stored = uow.data(TENANT).outbox[message.id]
        assert stored.status is NotificationStatus.FAILED
        assert stored.attempts == 0
    clock.current = uow.data(TENANT).outbox[message.id].next_attempt_at
    await _deliver(delivery_deps)
    assert uow.data(TENANT).outbox[message.id].status is NotificationStatus.SENT


async def test_sms_beyond_the_rate_waits_for_its_slot_instead_of_failing(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    sms: RecordingSmsSender,
    delivery_deps: DeliveryDependencies,
) -> None:
    senders = replace(
        delivery_deps.senders, sms_budget=replace(delivery_deps.senders.sms_budget, per_second=0.2)
    )
    deps = replace(delivery_deps, senders=senders)
    first = _queue(uow, clock, Channel.SMS, "+32470000001")
    second = _queue(uow, clock, Channel.SMS, "+32470000002")

    await _deliver(deps)

    states = {m.id: m for m in uow.data(TENANT).outbox.values()}
    assert len(sms.sent) == 1
    waiting = next(
        m for m in (states[first.id], states[second.id]) if m.status is not NotificationStatus.SENT
    )
    assert waiting.attempts == 0
    assert waiting.next_attempt_at == clock.now() + timedelta(seconds=5)


async def test_push_reaches_the_device_with_title_and_text(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    push: RecordingPushSender,
    delivery_deps: DeliveryDependencies,
) -> None:
    message = _queue(uow, clock, Channel.PUSH, "device-token-1", kind="missed_call")
    await _deliver(delivery_deps)

    (sent,) = push.sent
    assert sent.device_token == "device-token-1"
    assert sent.title == "Missed call"
    assert sent.data["notification_id"] == str(message.id)


async def test_permanent_sms_failure_falls_back_to_email_in_the_same_transaction(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    sms: RecordingSmsSender,
    mail: RecordingMailSender,
    delivery_deps: DeliveryDependencies,
) -> None:
    barred = SmsDeliveryError("barred", retryable=False, code=SmsFailure.RECIPIENT_BARRED)
    sms.failures.append(barred)
    message = _queue(
        uow,
        clock,
        Channel.SMS,
        "+32470123456",
        fallbacks=(Fallback(Channel.EMAIL, "gus@supplier.example"),),
    )

    report = await deliver_due(TENANT, delivery_deps, tenant_name="ACME")
    outbox = uow.data(TENANT).outbox
    (replacement,) = [m for m in outbox.values() if m.id != message.id]

    assert report.fell_back == 1
    assert outbox[message.id].status is NotificationStatus.DEAD
    assert replacement.channel is Channel.EMAIL
    assert replacement.payload["fallback_of"] == str(message.id)
    assert replacement.fallbacks == ()
    await _deliver(delivery_deps)
    assert [m.to for m in mail.sent] == ["gus@supplier.example"]


async def test_push_to_a_forgotten_device_is_dead_at_once(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    push: RecordingPushSender,
    delivery_deps: DeliveryDependencies,
) -> None:
    push.failures.append(PushDeliveryError("gone", retryable=False, code="unregistered"))
    message = _queue(uow, clock, Channel.PUSH, "stale-token", kind="missed_call")
    await _deliver(delivery_deps)
    assert uow.data(TENANT).outbox[message.id].status is NotificationStatus.DEAD
