"""Writes each message to a directory as an .eml file, readable by any mail client."""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from pathlib import Path

from adapters.sinks.mail_format import to_email
from ports.mail import MailDeliveryError, MailMessage

log = logging.getLogger(__name__)


class FileMailSender:
    def __init__(self, directory: Path) -> None:
        self._directory = directory
        log.warning("mail adapter 'file' in use: messages are written to %s, never sent", directory)

    async def send(self, message: MailMessage) -> None:
        try:
            data = to_email(message).as_bytes()
        except ValueError as exc:
            raise MailDeliveryError(f"message cannot be written: {exc}", retryable=False) from exc
        try:
            await asyncio.to_thread(self._write, data)
        except OSError as exc:
            raise MailDeliveryError(f"cannot write mail file: {exc}", retryable=True) from exc

    def _write(self, data: bytes) -> None:
        """Write under a temporary name, then rename: a reader never sees half a message.

        A failed write removes its temporary file, so retries do not litter the directory.
        """
        self._directory.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4()}.eml"
        partial = self._directory / f".{name}.part"
        try:
            partial.write_bytes(data)
            os.replace(partial, self._directory / name)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
