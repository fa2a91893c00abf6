"""Records SMS instead of sending them; can be told to refuse the next ones.

Applies the port's rules like every adapter, so a unit test with a bad number fails the
way production would.
"""

from __future__ import annotations

from ports.sms import SentSms, SmsDeliveryError, SmsMessage, check_sendable


class RecordingSmsSender:
    def __init__(self, *, sender_id: str = "Passerelle") -> None:
        self.sent: list[SmsMessage] = []
        self.failures: list[SmsDeliveryError] = []
        self._sender_id = sender_id

    async def send(self, message: SmsMessage) -> SentSms:
        length = check_sendable(message, message.sender or self._sender_id)
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        number = len(self.sent)
        ids = tuple(f"recorded-{number}-{part}" for part in range(1, length.parts + 1))
        return SentSms(message_ids=ids, parts=length.parts)
