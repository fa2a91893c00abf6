"""Sending one outbox message by its channel: e-mail, SMS, push, webhook, or a plugin's.

Each function renders the message's template for its channel and hands it to the
channel's port; every provider refusal comes back as the message's next state (sent,
failed to retry, dead, or deferred when the provider only asked to slow down).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from core.notifications.customisation import SenderIdentity, TenantCustomisation
from core.notifications.model import BUILTIN_CHANNELS, Channel, Jitter, OutboxMessage
from core.notifications.receipts import receipt_reference
from core.webhooks.delivery import WebhookSender
from ports.clock import Clock
from ports.mail import MailDeliveryError, MailMessage, MailSender
from ports.notification_channel import ChannelDeliveryError, ChannelMessage, ChannelSender
from ports.push import PushDeliveryError, PushNotification, PushPriority, PushSender
from ports.rate_limiter import RateLimiter
from ports.sms import SmsDeliveryError, SmsMessage, SmsSender
from ports.templates import RenderedMessage, TemplateError, TemplateRenderer

LONGEST_WAIT_IN_LINE = timedelta(seconds=1)
"""A rate-limit slot further away than this is not waited for: the message is deferred."""
THROTTLE_PAUSE = timedelta(seconds=2)
PLUGIN_SEND_TIMEOUT = timedelta(seconds=30)
"""A plugin's sender that has not answered by then is given up for this attempt, so one
hung sender cannot hold the worker."""
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SmsBudget:
    """The provider's rate for one account, shared by every worker through ``key``."""

    key: str
    per_second: float


@dataclass(frozen=True, slots=True)
class ChannelSenders:
    mail: MailSender
    sms: SmsSender
    push: PushSender
    renderer: TemplateRenderer
    rate_limiter: RateLimiter
    sms_budget: SmsBudget
    mail_sender_address: str
    clock: Clock
    jitter: Jitter
    webhooks: WebhookSender | None = None
    """Tenants' webhook endpoints; without it a webhook message fails for good."""
    plugin_channels: Mapping[str, ChannelSender] = field(default_factory=dict)
    """The senders of the channels plugins add, by channel name."""


async def send_message(
    tenant: TenantCustomisation,
    message: OutboxMessage,
    values: Mapping[str, str],
    senders: ChannelSenders,
) -> OutboxMessage:
    """Attempt one message; returns its next state, never raises for a provider's refusal."""
    now = senders.clock.now
    if message.channel is Channel.WEBHOOK:
        if senders.webhooks is None:
            unsent = "webhooks are not configured"
            return message.failed(unsent, now(), retryable=False, jitter=senders.jitter)
        return await senders.webhooks.deliver(tenant.tenant_id, message)
    if message.channel not in BUILTIN_CHANNELS:
        return await _send_by_plugin(tenant, message, values, senders)
    try:
        rendered = _render(tenant, message, values, senders.renderer)
        if message.channel is Channel.EMAIL:
            await _send_mail(tenant.sender, message, rendered, senders)
        elif message.channel is Channel.SMS:
            deferred = await _send_sms(tenant, message, rendered, senders)
            if deferred is not None:
                return deferred
        else:
            await _send_push(message, rendered, senders)
    except (MailDeliveryError, PushDeliveryError) as exc:
        return message.failed(str(exc), now(), retryable=exc.retryable, jitter=senders.jitter)
    except SmsDeliveryError as exc:
        if exc.throttled:
            pause = THROTTLE_PAUSE * senders.jitter(1.0, 2.0)
            return message.deferred(now() + pause, f"throttled: {exc.reason}", now())
        return message.failed(exc.reason, now(), retryable=exc.retryable, jitter=senders.jitter)
    except TemplateError as exc:
        return message.failed(str(exc), now(), retryable=False, jitter=senders.jitter)
    return message.sent(now())


async def _send_by_plugin(
    tenant: TenantCustomisation,
    message: OutboxMessage,
    values: Mapping[str, str],
    senders: ChannelSenders,
) -> OutboxMessage:
    """A plugin channel's message; a channel no plugin registers now cannot be sent, ever.

    The sender's own failures are isolated like a plugin's hooks: logged, and retried.
    """
    now, jitter = senders.clock.now, senders.jitter
    sender = senders.plugin_channels.get(message.channel)
    if sender is None:
        unsent = f"no plugin registers the channel {message.channel} (any more)"
        return message.failed(unsent, now(), retryable=False, jitter=jitter)
    try:
        rendered = _render(tenant, message, values, senders.renderer)
        async with asyncio.timeout(PLUGIN_SEND_TIMEOUT.total_seconds()):
            await sender.send(
                ChannelMessage(
                    tenant_id=tenant.tenant_id,
                    message_id=message.id,
                    kind=message.kind,
                    recipient=message.recipient,
                    locale=message.payload.get("locale", "en"),
                    text=rendered.text.strip(),
                    subject=rendered.subject,
                    payload=message.payload,
                )
            )
    except TemplateError as exc:
        return message.failed(str(exc), now(), retryable=False, jitter=jitter)
    except ChannelDeliveryError as exc:
        return message.failed(exc.reason, now(), retryable=exc.retryable, jitter=jitter)
    except TimeoutError:
        late = f"the sender gave no answer within {PLUGIN_SEND_TIMEOUT.total_seconds():g} s"
        return message.failed(late, now(), retryable=True, jitter=jitter)
    except Exception as exc:
        log.exception("the sender of the plugin channel %s failed", message.channel)
        return message.failed(f"{type(exc).__name__}: {exc}", now(), retryable=True, jitter=jitter)
    return message.sent(now())


def _render(
    tenant: TenantCustomisation,
    message: OutboxMessage,
    values: Mapping[str, str],
    renderer: TemplateRenderer,
) -> RenderedMessage:
    """The tenant's own wording of this kind, channel and language if it has one."""
    locale = message.payload.get("locale", "en")
    wording = tenant.wording_for(message.kind, message.channel, locale)
    if wording is not None:
        return renderer.render_wording(wording, values)
    return renderer.render(message.kind, message.channel, locale, values)


async def _send_mail(
    sender: SenderIdentity,
    message: OutboxMessage,
    rendered: RenderedMessage,
    senders: ChannelSenders,
) -> None:
    await senders.mail.send(
        MailMessage(
            sender=senders.mail_sender_address,
            sender_name=sender.mail_from_name,
            reply_to=sender.mail_reply_to,
            to=message.recipient,
            subject=rendered.subject or "",
            text=rendered.text,
            html=rendered.html,
            headers={"X-Passerelle-Notification": str(message.id)},
        )
    )


async def _send_sms(
    tenant: TenantCustomisation,
    message: OutboxMessage,
    rendered: RenderedMessage,
    senders: ChannelSenders,
) -> OutboxMessage | None:
    """Wait for a rate-limit slot shared by the fleet; a far slot defers the message."""
    budget = senders.sms_budget
    wait = await senders.rate_limiter.reserve(budget.key, budget.per_second)
    if wait > LONGEST_WAIT_IN_LINE:
        now = senders.clock.now()
        return message.deferred(now + wait, "waiting for the SMS rate limit", now)
    if wait > timedelta(0):
        await asyncio.sleep(wait.total_seconds())
    await senders.sms.send(
        SmsMessage(
            to=message.recipient,
            text=rendered.text.strip(),
            reference=receipt_reference(tenant.tenant_id, message.id),
            sender=tenant.sender.sms_sender_id,
        )
    )
    return None


async def _send_push(
    message: OutboxMessage, rendered: RenderedMessage, senders: ChannelSenders
) -> None:
    await senders.push.send(
        PushNotification(
            device_token=message.recipient,
            title=rendered.subject or "",
            body=rendered.text.strip(),
            data={"kind": message.kind, "notification_id": str(message.id)},
            priority=PushPriority.HIGH,
            collapse_key=message.kind,
        )
    )
