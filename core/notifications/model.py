"""Outbox messages and the retry schedule that governs their delivery."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from core.errors import Conflict

DEFAULT_MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)


class Channel(StrEnum):
    """The built-in channels. A message's channel is a ``str``: one of these members, or
    the name of a channel a plugin adds (``register_notification_channels``)."""

    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    WEBHOOK = "webhook"
    """A tenant's webhook endpoint: the recipient is the endpoint's id (core.webhooks)."""


BUILTIN_CHANNELS = frozenset(channel.value for channel in Channel)


def channel_named(name: str) -> str:
    """The built-in member of this name (so ``is Channel.SMS`` holds), else the plugin
    channel's name as it is: how stored and configured names come back into the core."""
    return Channel(name) if name in BUILTIN_CHANNELS else name


class NotificationStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    """The provider's receipt says the recipient got it (Vonage SMS delivery receipts)."""
    FAILED = "failed"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class Fallback:
    """Where to send instead when a channel gives up for good (an SMS number that is
    barred -> the same person's e-mail address)."""

    channel: str
    recipient: str


class Jitter(Protocol):
    def __call__(self, low: float, high: float) -> float: ...


def retry_delay(attempt: int, jitter: Jitter) -> timedelta:
    """Exponential backoff with full jitter: 30 s, 1 min, 2 min ... capped at 6 h.

    With eight attempts the worst case stays within 24 hours, and jitter spreads the
    retries of a provider outage so they do not all land on the same second.
    """
    ceiling = min(BASE_DELAY * (2 ** max(attempt - 1, 0)), MAX_DELAY)
    return timedelta(seconds=jitter(ceiling.total_seconds() / 2, ceiling.total_seconds()))


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message owed to the outside world, delivered at least once."""

    id: UUID
    kind: str
    channel: str
    """A ``Channel`` member, or a plugin channel's name."""
    recipient: str
    payload: dict[str, str]
    status: NotificationStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    updated_at: datetime
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    last_error: str | None = None
    sent_at: datetime | None = None
    lease_expires_at: datetime | None = field(default=None)
    fallbacks: tuple[Fallback, ...] = ()
    session_id: UUID | None = None
    """The assistance session the message is about, so a session lists its notifications."""

    def claimed(self, now: datetime, lease: timedelta) -> OutboxMessage:
        """Taken by one worker; if that worker dies the lease runs out and another takes it."""
        return replace(
            self,
            status=NotificationStatus.SENDING,
            attempts=self.attempts + 1,
            lease_expires_at=now + lease,
            updated_at=now,
        )

    def requeued(self, now: datetime) -> OutboxMessage:
        """A person asked to try again: a dead or failed message gets a fresh set of attempts."""
        if self.status not in (NotificationStatus.DEAD, NotificationStatus.FAILED):
            raise Conflict(
                f"only dead or failed notifications are retried; this one is {self.status.value}",
                field="status",
                code="not_retryable",
            )
        return replace(
            self,
            status=NotificationStatus.QUEUED,
            attempts=0,
            next_attempt_at=now,
            lease_expires_at=None,
            updated_at=now,
        )

    def deferred(self, until: datetime, reason: str, now: datetime) -> OutboxMessage:
        """The provider asked to slow down: try again at ``until``; not counted as an attempt.

        So a throttled message never reaches the attempt bound and never goes dead for it.
        """
        return replace(
            self,
            status=NotificationStatus.FAILED,
            attempts=max(self.attempts - 1, 0),
            next_attempt_at=until,
            last_error=reason,
            lease_expires_at=None,
            updated_at=now,
        )

    def fallback(self, new_id: UUID, now: datetime) -> OutboxMessage | None:
        """The next channel to try once this one is dead, as a new message; None if none."""
        if self.status is not NotificationStatus.DEAD or not self.fallbacks:
            return None
        following, *rest = self.fallbacks
        return OutboxMessage(
            id=new_id,
            kind=self.kind,
            channel=following.channel,
            recipient=following.recipient,
            payload={**self.payload, "fallback_of": str(self.id)},
            status=NotificationStatus.QUEUED,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
            fallbacks=tuple(rest),
            session_id=self.session_id,
        )

    def sent(self, now: datetime) -> OutboxMessage:
        """The provider accepted the message; a receipt may later confirm or deny delivery."""
        return replace(
            self,
            status=NotificationStatus.SENT,
            sent_at=now,
            lease_expires_at=None,
            last_error=None,
            updated_at=now,
        )

    def receipted(self, delivered: bool, reason: str, now: datetime) -> OutboxMessage:
        """What the provider's delivery receipt says happened after the message was sent.

        Only a sent message changes: receipts come late, repeat, and arrive one per part
        of a long SMS, so a delivered or dead message keeps its status. A message the
        network could not deliver goes dead, which lets its fallback (e-mail) take over.
        """
        if self.status is not NotificationStatus.SENT:
            return self
        if delivered:
            return replace(self, status=NotificationStatus.DELIVERED, updated_at=now)
        return replace(self, status=NotificationStatus.DEAD, last_error=reason, updated_at=now)

    def failed(
        self, error: str, now: datetime, *, retryable: bool, jitter: Jitter
    ) -> OutboxMessage:
        """A failed attempt is retried later, unless it cannot succeed or the bound is reached."""
        if not retryable or self.attempts >= self.max_attempts:
            return replace(
                self,
                status=NotificationStatus.DEAD,
                last_error=error,
                lease_expires_at=None,
                updated_at=now,
            )
        return replace(
            self,
            status=NotificationStatus.FAILED,
            last_error=error,
            next_attempt_at=now + retry_delay(self.attempts, jitter),
            lease_expires_at=None,
            updated_at=now,
        )
