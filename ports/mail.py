"""Sending e-mail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class MailMessage:
    sender: str
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    sender_name: str | None = None
    """Shown beside the sender address instead of the name ``sender`` may carry."""
    reply_to: str | None = None


class MailDeliveryError(Exception):
    """The message was not accepted; ``retryable`` says whether trying again may help."""

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.retryable = retryable


class MailSender(Protocol):
    async def send(self, message: MailMessage) -> None:
        """Hand the message over for delivery; raises MailDeliveryError when refused."""
        ...
