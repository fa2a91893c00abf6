"""Sending one message on a channel a plugin adds (a chat app, a pager, a ticketing tool).

The outbox renders the message from its kind's templates for that channel and language,
then hands the words to the channel's sender, once per attempt. A sender that could not
deliver raises ChannelDeliveryError: ``retryable`` messages are tried again on the
outbox's schedule (the one e-mail and SMS follow) until the attempts run out, the others
are given up at once; either way a dead message falls back to the next channel of its
kind's chain. Any other exception counts as retryable, as a provider's outage would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True, slots=True)
class ChannelMessage:
    """One rendered message. ``message_id`` stays the same on every attempt: a sender whose
    service takes an idempotency key should pass it, since delivery is at least once."""

    tenant_id: UUID
    message_id: UUID
    kind: str
    recipient: str
    locale: str
    text: str
    subject: str | None
    payload: Mapping[str, str]
    """The values the message was queued with (its templates' values)."""


class ChannelDeliveryError(Exception):
    """The message was not delivered; ``retryable`` says whether trying again may help."""

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class ChannelSender(Protocol):
    async def send(self, message: ChannelMessage) -> None:
        """Deliver, or raise ChannelDeliveryError."""
        ...
