"""Sends mail through an SMTP relay, reusing one connection across messages.

Reuse matters: a new connection with STARTTLS and AUTH per message costs several round
trips; a kept connection costs one transaction. A broken connection is reopened once.
"""

from __future__ import annotations

import asyncio
import logging
import ssl

import aiosmtplib

from adapters.sinks.mail_format import to_email
from adapters.smtp.settings import SmtpSecurity, SmtpSettings
from ports.mail import MailDeliveryError, MailMessage

log = logging.getLogger(__name__)


class SmtpMailSender:
    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings
        self._client: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()

    async def send(self, message: MailMessage) -> None:
        email = to_email(message)
        async with self._lock:
            try:
                client = await self._connected()
                try:
                    await client.send_message(email)
                except aiosmtplib.SMTPServerDisconnected:
                    client = await self._reconnect()
                    await client.send_message(email)
            except aiosmtplib.SMTPResponseException as exc:
                raise MailDeliveryError(
                    f"SMTP {exc.code}: {exc.message}", retryable=400 <= exc.code < 500
                ) from exc
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                await self._drop()
                raise MailDeliveryError(f"SMTP relay unreachable: {exc}", retryable=True) from exc

    async def close(self) -> None:
        async with self._lock:
            await self._drop()

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        return await self._reconnect()

    async def _reconnect(self) -> aiosmtplib.SMTP:
        await self._drop()
        settings = self._settings
        client = aiosmtplib.SMTP(
            hostname=settings.host,
            port=settings.port,
            timeout=settings.timeout_seconds,
            use_tls=settings.security is SmtpSecurity.TLS,
            start_tls=settings.security is SmtpSecurity.STARTTLS,
            tls_context=self._tls_context(),
        )
        await client.connect()
        if settings.username:
            password = settings.password.get_secret_value() if settings.password else ""
            await client.login(settings.username, password)
        self._client = client
        return client

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()

    def _tls_context(self) -> ssl.SSLContext | None:
        if self._settings.security is SmtpSecurity.NONE:
            return None
        ca_file = self._settings.ca_file
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
