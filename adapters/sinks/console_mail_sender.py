"""Prints each message to standard output: the embedded default's mail.

Printed for a person to read, not as wire format: header values decoded (no ``=?utf-8?``
words) and the plain-text body as written (no quoted-printable or base64).
"""

from __future__ import annotations

import logging
import sys
from email.message import EmailMessage
from typing import TextIO

from adapters.sinks.mail_format import to_email
from adapters.system.notices import warn_once
from ports.mail import MailDeliveryError, MailMessage

log = logging.getLogger(__name__)
_MIME_PLUMBING = frozenset({"content-type", "content-transfer-encoding", "mime-version"})


class ConsoleMailSender:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        warn_once(log, "mail adapter 'console' in use: messages are printed, never sent")

    async def send(self, message: MailMessage) -> None:
        try:
            email = to_email(message)
        except ValueError as exc:
            raise MailDeliveryError(f"message cannot be printed: {exc}", retryable=False) from exc
        stream = self._stream or sys.stdout
        stream.write(render(email))
        stream.flush()


def render(email: EmailMessage) -> str:
    """Headers as they would be sent, decoded, then the plain-text body."""
    lines = ["----- mail (console sink, not sent) -----"]
    lines += [
        f"{name}: {value}" for name, value in email.items() if name.lower() not in _MIME_PLUMBING
    ]
    lines.append("")
    plain = email.get_body(preferencelist=("plain",))
    if isinstance(plain, EmailMessage):
        lines.append(str(plain.get_content()).rstrip("\n"))
    html = email.get_body(preferencelist=("html",))
    if isinstance(html, EmailMessage):
        lines.append(f"[HTML alternative not shown: {len(str(html.get_content()))} characters]")
    lines.append("----- end of mail -----")
    return "\n".join(lines) + "\n"
