"""Writes each message to a directory as an .eml file, readable by any mail client."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

from adapters.sinks.mail_format import to_email
from ports.mail import MailDeliveryError, MailMessage


class FileMailSender:
    def __init__(self, directory: Path) -> None:
        self._directory = directory

    async def send(self, message: MailMessage) -> None:
        data = to_email(message).as_bytes()
        try:
            await asyncio.to_thread(self._write, data)
        except OSError as exc:
            raise MailDeliveryError(f"cannot write mail file: {exc}", retryable=True) from exc

    def _write(self, data: bytes) -> None:
        """Write under a temporary name, then rename: a reader never sees half a message."""
        self._directory.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4()}.eml"
        partial = self._directory / f".{name}.part"
        partial.write_bytes(data)
        os.replace(partial, self._directory / name)
