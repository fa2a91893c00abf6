"""Prints each message to standard output: the embedded default's mail."""

from __future__ import annotations

import sys
from typing import TextIO

from adapters.sinks.mail_format import to_email
from ports.mail import MailMessage


class ConsoleMailSender:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    async def send(self, message: MailMessage) -> None:
        stream = self._stream or sys.stdout
        stream.write(f"----- mail (console sink, not sent) -----\n{to_email(message)}\n")
        stream.flush()
