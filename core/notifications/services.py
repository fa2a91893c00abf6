"""Use cases on notifications: delivering what the outbox holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from core.errors import Forbidden, NotFound
from core.identity.model import Actor, Role
from core.notifications.model import Channel, Jitter, NotificationStatus, OutboxMessage
from ports.clock import Clock
from ports.mail import MailDeliveryError, MailMessage, MailSender
from ports.templates import TemplateError, TemplateRenderer
from ports.unit_of_work import TenantUnitOfWorkFactory

DEFAULT_LEASE = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class DeliveryDependencies:
    tenant_uow: TenantUnitOfWorkFactory
    mail: MailSender
    clock: Clock
    jitter: Jitter
    renderer: TemplateRenderer
    sender: str
    public_url: str


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.retried + self.dead


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
    """
    async with deps.tenant_uow(tenant_id) as uow:
        now = deps.clock.now()
        claimed = [message.claimed(now, lease) for message in await uow.outbox.due(now, limit)]
        for message in claimed:
            await uow.outbox.save(message)
        await uow.commit()

    report = DeliveryReport()
    for message in claimed:
        outcome = await _attempt(message, deps, tenant_name)
        async with deps.tenant_uow(tenant_id) as uow:
            await uow.outbox.save(outcome)
            await uow.commit()
        if outcome.status is NotificationStatus.SENT:
            report.sent += 1
        elif outcome.status is NotificationStatus.DEAD:
            report.dead += 1
        else:
            report.retried += 1
    return report


async def _attempt(
    message: OutboxMessage, deps: DeliveryDependencies, tenant_name: str
) -> OutboxMessage:
    values = {**message.payload, "public_url": deps.public_url, "tenant_name": tenant_name}
    try:
        if message.channel is not Channel.EMAIL:
            raise MailDeliveryError(
                f"no sender for channel {message.channel.value}", retryable=False
            )
        locale = message.payload.get("locale", "en")
        rendered = deps.renderer.render(message.kind, message.channel, locale, values)
        await deps.mail.send(
            MailMessage(
                sender=deps.sender,
                to=message.recipient,
                subject=rendered.subject or "",
                text=rendered.text,
                html=rendered.html,
                headers={"X-Passerelle-Notification": str(message.id)},
            )
        )
    except MailDeliveryError as exc:
        return message.failed(
            str(exc), deps.clock.now(), retryable=exc.retryable, jitter=deps.jitter
        )
    except TemplateError as exc:
        return message.failed(str(exc), deps.clock.now(), retryable=False, jitter=deps.jitter)
    return message.delivered(deps.clock.now())


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
