"""Sends mail through an SMTP relay, reusing one connection across messages.

Reuse matters: a new connection with STARTTLS and AUTH per message costs several round
trips; a kept connection costs one transaction. A broken connection is reopened once.

Every failure leaves as a MailDeliveryError: a 4xx answer or a lost relay may succeed
later (retryable), a 5xx answer or a message that cannot be sent as it is will not.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Sequence
from email.message import EmailMessage

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
        try:
            email = to_email(message)
        except ValueError as exc:
            raise MailDeliveryError(f"message cannot be sent: {exc}", retryable=False) from exc
        async with self._lock:
            try:
                await self._send(email)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                raise _refusal(exc.recipients) from exc
            except aiosmtplib.SMTPResponseException as exc:
                raise _refusal([exc]) from exc
            except ValueError as exc:
                raise MailDeliveryError(f"message cannot be sent: {exc}", retryable=False) from exc
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                await self._drop()
                raise MailDeliveryError(f"SMTP relay unreachable: {exc}", retryable=True) from exc
            except asyncio.CancelledError:
                self._abandon()
                raise

    async def close(self) -> None:
        async with self._lock:
            await self._drop()

    async def _send(self, email: EmailMessage) -> None:
        client = await self._connected()
        try:
            await client.send_message(email)
        except aiosmtplib.SMTPServerDisconnected:
            log.info("SMTP relay %s closed the connection; reconnecting", self._settings.host)
            client = await self._reconnect()
            await client.send_message(email)

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        return await self._reconnect()

    async def _reconnect(self) -> aiosmtplib.SMTP:
        """Connect, secure and log in; aiosmtplib closes the socket itself if any step fails."""
        await self._drop()
        settings = self._settings
        password = settings.password.get_secret_value() if settings.password else ""
        client = aiosmtplib.SMTP(
            hostname=settings.host,
            port=settings.port,
            timeout=settings.timeout_seconds,
            use_tls=settings.security is SmtpSecurity.TLS,
            start_tls=settings.security is SmtpSecurity.STARTTLS,
            tls_context=self._tls_context(),
            username=settings.username or None,
            password=password if settings.username else None,
        )
        await client.connect()
        self._client = client
        return client

    def _abandon(self) -> None:
        """Close without QUIT, after a send was cut off midway (cancelled by a timeout).

        Replies left unread on the wire would otherwise be taken by the next command.
        """
        client, self._client = self._client, None
        if client is not None:
            client.close()

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


def _refusal(answers: Sequence[aiosmtplib.SMTPResponseException]) -> MailDeliveryError:
    """The relay's own answer; worth retrying only when every refusal is temporary (4xx)."""
    reason = "; ".join(f"SMTP {answer.code}: {answer.message}" for answer in answers)
    return MailDeliveryError(
        reason or "SMTP relay refused the message",
        retryable=bool(answers) and all(400 <= answer.code < 500 for answer in answers),
    )
