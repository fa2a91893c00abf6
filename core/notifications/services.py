"""Use cases on notifications: delivering what the outbox holds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from core.errors import Forbidden, NotFound
from core.identity.model import Actor, Role
from core.notifications.channels import ChannelSenders, send_message
from core.notifications.customisation import TemplateKey, TenantCustomisation
from core.notifications.model import NotificationStatus, OutboxMessage
from ports.clock import Clock
from ports.unit_of_work import TenantUnitOfWorkFactory

DEFAULT_LEASE = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class DeliveryDependencies:
    tenant_uow: TenantUnitOfWorkFactory
    senders: ChannelSenders
    clock: Clock
    public_url: str


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    fell_back: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.retried + self.dead

    def count(self, outcome: OutboxMessage, *, fell_back: bool) -> None:
        if outcome.status is NotificationStatus.SENT:
            self.sent += 1
        elif outcome.status is NotificationStatus.DEAD:
            self.dead += 1
        else:
            self.retried += 1
        self.fell_back += fell_back

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.dead += other.dead
        self.fell_back += other.fell_back


async def deliver_due(
    tenant_id: UUID,
    deps: DeliveryDependencies,
    *,
    tenant_name: str,
    limit: int = 50,
    lease: timedelta = DEFAULT_LEASE,
) -> DeliveryReport:
    """Deliver one batch of a tenant's due messages, at least once.

    Rules: messages are claimed (status ``sending`` with a lease) and committed before
    any provider call, so a slow provider never holds a database lock and a worker that
    dies mid-send leaves rows another worker re-claims when the lease runs out. Each
    outcome is committed on its own, so a crash loses at most one message's status.
    A message that goes dead with a fallback left is replaced, in the same transaction,
    by a new message on the fallback's channel. A batch slower than its lease stops
    where the lease ran out: another worker may already hold the rest, and sending them
    here too would duplicate them.
    """
    async with deps.tenant_uow(tenant_id) as uow:
        now = deps.clock.now()
        claimed = [message.claimed(now, lease) for message in await uow.outbox.due(now, limit)]
        if not claimed:
            return DeliveryReport()
        for message in claimed:
            await uow.outbox.save(message)
        customisation = TenantCustomisation(
            tenant_id,
            await uow.customisation.sender(),
            await uow.customisation.overrides_for(map(_template_key, claimed)),
        )
        await uow.commit()

    report = DeliveryReport()
    values = {"public_url": deps.public_url, "tenant_name": tenant_name}
    for message in claimed:
        if message.lease_expires_at is not None and deps.clock.now() >= message.lease_expires_at:
            break
        outcome = await send_message(
            customisation, message, {**message.payload, **values}, deps.senders
        )
        replacement = outcome.fallback(uuid.uuid4(), deps.clock.now())
        async with deps.tenant_uow(tenant_id) as uow:
            await uow.outbox.save(outcome)
            if replacement is not None:
                await uow.outbox.add(replacement)
            await uow.commit()
        report.count(outcome, fell_back=replacement is not None)
    return report


def _template_key(message: OutboxMessage) -> TemplateKey:
    return TemplateKey(message.kind, message.channel, message.payload.get("locale", "en"))


async def get_notification(
    actor: Actor, notification_id: UUID, tenant_uow: TenantUnitOfWorkFactory
) -> OutboxMessage:
    async with tenant_uow(actor.tenant_id) as uow:
        message = await uow.outbox.get(notification_id)
    if message is None:
        raise NotFound(
            "no such notification", field="notification_id", code="notification_not_found"
        )
    return message


async def retry_notification(
    actor: Actor, notification_id: UUID, tenant_uow: TenantUnitOfWorkFactory, clock: Clock
) -> OutboxMessage:
    """Queue a dead or failed notification again; only tenant admins may."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("only admins may retry notifications", code="admin_only")
    return await requeue_notification(actor.tenant_id, notification_id, tenant_uow, clock)


async def requeue_notification(
    tenant_id: UUID, notification_id: UUID, tenant_uow: TenantUnitOfWorkFactory, clock: Clock
) -> OutboxMessage:
    """Queue a dead or failed notification again, for a caller already authorised."""
    async with tenant_uow(tenant_id) as uow:
        message = await uow.outbox.get(notification_id)
        if message is None:
            raise NotFound(
                "no such notification", field="notification_id", code="notification_not_found"
            )
        requeued = message.requeued(clock.now())
        await uow.outbox.save(requeued)
        await uow.commit()
    return requeued
