"""Records messages instead of sending them; can be told to refuse the next ones."""

from __future__ import annotations

from ports.mail import MailDeliveryError, MailMessage


class RecordingMailSender:
    def __init__(self) -> None:
        self.sent: list[MailMessage] = []
        self.failures: list[MailDeliveryError] = []

    async def send(self, message: MailMessage) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
