"""Turning a port-level mail message into an RFC 5322 message, shared by every mail adapter."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from ports.mail import MailMessage


def to_email(message: MailMessage) -> EmailMessage:
    email = EmailMessage()
    configured_name, address = parseaddr(message.sender)
    email["From"] = formataddr((message.sender_name or configured_name, address))
    if message.reply_to is not None:
        email["Reply-To"] = message.reply_to
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    for name, value in message.headers.items():
        email[name] = value
    email.set_content(message.text)
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
    return email
