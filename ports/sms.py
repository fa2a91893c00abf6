"""Sending one SMS: an invitation link, a missed-call alert.

The core hands over the recipient (E.164, ``+32470123456``), the text, optionally a
sender id (else the adapter's configured one) and a reference, the notification id, that
the provider keeps beside the message and returns in delivery receipts. A send either
returns the provider's message ids, one per part, with the number of parts billed, or
raises SmsDeliveryError, whose ``code`` tells the core what to do next.

The rules every adapter applies before any request are in ``check_sendable``, so a bad
number fails the same way on a laptop's console sink as against the provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from core.notifications.sms_text import SmsLength, is_e164, is_sender_id, measure_sms


@dataclass(frozen=True, slots=True)
class SmsMessage:
    to: str
    text: str
    reference: str
    sender: str | None = None


@dataclass(frozen=True, slots=True)
class SentSms:
    """Accepted by the provider (not yet delivered): one message id per part billed."""

    message_ids: tuple[str, ...]
    parts: int


class SmsFailure(StrEnum):
    """Why an SMS was refused, as the core can act on it."""

    THROTTLED = "throttled"
    """Sent faster than the account allows: retry later, never give the message up for it."""
    INSUFFICIENT_CREDIT = "insufficient_credit"
    """The account ran out of credit: retry once it is topped up."""
    UNAVAILABLE = "unavailable"
    """The provider failed or is overloaded."""
    UNREACHABLE = "unreachable"
    """No connection to the provider could be made (network, TLS)."""
    TIMEOUT = "timeout"
    """The provider did not answer in time; the SMS may or may not have left."""
    INVALID_RECIPIENT = "invalid_recipient"
    """Not an E.164 number, or a number no network routes."""
    RECIPIENT_BARRED = "recipient_barred"
    """The number is barred or deactivated: it will not receive SMS."""
    INVALID_SENDER = "invalid_sender"
    """The sender id is malformed, or not allowed towards this destination."""
    INVALID_MESSAGE = "invalid_message"
    """The message itself was refused (empty, too long, a parameter out of range)."""
    CREDENTIALS_REFUSED = "credentials_refused"
    """The platform's own credentials were refused."""
    ACCOUNT_REFUSED = "account_refused"
    """The provider account may not send this (suspended, not enabled, trial destinations)."""
    REJECTED = "rejected"
    """Refused for a reason this list has no name for; the reason text says more."""


class SmsDeliveryError(Exception):
    """The SMS was not (wholly) accepted.

    ``retryable`` says whether trying again may help. ``provider_code`` is the provider's
    own status, for people reading logs. ``accepted_message_ids`` lists the parts the
    provider did accept when only some were: a retry sends the whole message again.
    """

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        code: str,
        provider_code: str | None = None,
        accepted_message_ids: tuple[str, ...] = (),
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.code = code
        self.provider_code = provider_code
        self.accepted_message_ids = accepted_message_ids

    @property
    def throttled(self) -> bool:
        """True when the provider only asked to slow down: not a failed attempt."""
        return self.code == SmsFailure.THROTTLED

    @property
    def partially_sent(self) -> bool:
        return bool(self.accepted_message_ids)

    def __repr__(self) -> str:
        return (
            f"SmsDeliveryError({self.reason!r}, retryable={self.retryable}, code={self.code!r}, "
            f"provider_code={self.provider_code!r}, "
            f"accepted_message_ids={self.accepted_message_ids!r})"
        )


def check_sendable(message: SmsMessage, sender: str) -> SmsLength:
    """Refuse, permanently, what no provider would deliver; else measure the text.

    ``sender`` is the sender id the adapter will use (the message's, or its default).
    """
    if not is_e164(message.to):
        raise SmsDeliveryError(
            f"recipient {message.to!r} is not an E.164 number (+ and 7 to 15 digits)",
            retryable=False,
            code=SmsFailure.INVALID_RECIPIENT,
        )
    if not is_sender_id(sender):
        raise SmsDeliveryError(
            f"sender id {sender!r} is neither up to 11 letters and digits nor a number",
            retryable=False,
            code=SmsFailure.INVALID_SENDER,
        )
    if not message.text.strip():
        raise SmsDeliveryError(
            "an SMS needs some text", retryable=False, code=SmsFailure.INVALID_MESSAGE
        )
    return measure_sms(message.text)


class SmsSender(Protocol):
    async def send(self, message: SmsMessage) -> SentSms:
        """Hand the SMS to the provider; raises SmsDeliveryError when it is not accepted."""
        ...
