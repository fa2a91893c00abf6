"""Prints each SMS to standard output: the embedded default's SMS.

The same rules as a real provider apply first (E.164 recipient, sender id, some text), and
the printout shows what the SMS would cost: its encoding and number of parts.
"""

from __future__ import annotations

import logging
import sys
import uuid
from typing import TextIO

from adapters.system.notices import warn_once
from core.notifications.sms_text import SmsLength
from ports.sms import SentSms, SmsMessage, check_sendable

log = logging.getLogger(__name__)


class ConsoleSmsSender:
    def __init__(self, stream: TextIO | None = None, *, sender_id: str = "Passerelle") -> None:
        self._stream = stream
        self._sender_id = sender_id
        warn_once(log, "sms adapter 'console' in use: SMS are printed, never sent")

    async def send(self, message: SmsMessage) -> SentSms:
        sender = message.sender or self._sender_id
        length = check_sendable(message, sender)
        stream = self._stream or sys.stdout
        stream.write(render(message, sender, length))
        stream.flush()
        batch = uuid.uuid4().hex[:12]
        ids = tuple(f"console-{batch}-{part}" for part in range(1, length.parts + 1))
        return SentSms(message_ids=ids, parts=length.parts)


def render(message: SmsMessage, sender: str, length: SmsLength) -> str:
    lines = [
        "----- SMS (console sink, not sent) -----",
        f"From: {sender}",
        f"To: {message.to}",
        f"Reference: {message.reference}",
        f"Encoding: {length.encoding.value}, {length.units} units, {length.parts} part(s)",
        "",
        message.text.rstrip("\n"),
        "----- end of SMS -----",
    ]
    return "\n".join(lines) + "\n"
