"""Vonage's answers, translated into SmsDeliveryError for the outbox.

The SMS API answers HTTP 200 even when it refuses a message: each part carries a
``status`` ("0" accepted) and an ``error-text``. The table below follows Vonage's
documented SMS API error codes; the resolution Vonage gives decides ``retryable``
("back off and retry", "top up and retry" are; a wrong parameter or a barred number
is not). A status missing from the table is retried: the outbox bounds the attempts,
and a status Vonage adds later is more likely a new passing condition than a reason to
lose the message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ports.sms import SmsDeliveryError, SmsFailure

_STATUSES: Mapping[str, tuple[str, SmsFailure, bool]] = {
    "1": ("Throttled", SmsFailure.THROTTLED, True),
    "2": ("Missing Parameters", SmsFailure.INVALID_MESSAGE, False),
    "3": ("Invalid Parameters", SmsFailure.INVALID_MESSAGE, False),
    "4": ("Invalid Credentials", SmsFailure.CREDENTIALS_REFUSED, False),
    "5": ("Internal Error", SmsFailure.UNAVAILABLE, True),
    "6": ("Invalid Message (unroutable)", SmsFailure.INVALID_RECIPIENT, False),
    "7": ("Number Barred", SmsFailure.RECIPIENT_BARRED, False),
    "8": ("Partner Account Barred", SmsFailure.ACCOUNT_REFUSED, False),
    "9": ("Partner Quota Violation", SmsFailure.INSUFFICIENT_CREDIT, True),
    "10": ("Too Many Existing Binds", SmsFailure.UNAVAILABLE, True),
    "11": ("Account Not Enabled For HTTP", SmsFailure.ACCOUNT_REFUSED, False),
    "12": ("Message Too Long", SmsFailure.INVALID_MESSAGE, False),
    "14": ("Invalid Signature", SmsFailure.CREDENTIALS_REFUSED, False),
    "15": ("Invalid Sender Address", SmsFailure.INVALID_SENDER, False),
    "22": ("Invalid Network Code", SmsFailure.INVALID_RECIPIENT, False),
    "23": ("Invalid Callback Url", SmsFailure.INVALID_MESSAGE, False),
    "29": ("Non-Whitelisted Destination", SmsFailure.ACCOUNT_REFUSED, False),
    "32": ("Signature And API Secret Disallowed", SmsFailure.CREDENTIALS_REFUSED, False),
    "33": ("Number De-activated", SmsFailure.RECIPIENT_BARRED, False),
}
_SDK_ERROR_CODE = re.compile(r"error code (\w+): ?(.*)", re.DOTALL)


def refused_parts(messages: Sequence[Mapping[str, Any]]) -> SmsDeliveryError:
    """The refusal of a message some or all of whose parts have a non-zero status.

    Retryable only if every refused part is: a retry sends every part again.
    """
    accepted = tuple(
        str(part.get("message-id", "")) for part in messages if str(part.get("status")) == "0"
    )
    refused = [part for part in messages if str(part.get("status")) != "0"]
    if not refused:
        return unexpected_answer("a refusal without any refused part")
    failures = [
        _status(str(part.get("status")), str(part.get("error-text", ""))) for part in refused
    ]
    first = failures[0]
    if accepted:
        reason = f"Vonage accepted {len(accepted)} of {len(messages)} parts; " + "; ".join(
            failure.reason for failure in failures
        )
    else:
        reason = first.reason
    return SmsDeliveryError(
        reason,
        retryable=all(failure.retryable for failure in failures),
        code=first.code,
        provider_code=first.provider_code,
        accepted_message_ids=accepted,
    )


def refused_by_sdk_text(text: str) -> SmsDeliveryError:
    """When the answer itself could not be read again, the status the SDK's message names."""
    found = _SDK_ERROR_CODE.search(text)
    if found is None:
        return unexpected_answer(text)
    return _status(found.group(1), found.group(2).strip())


def _status(status: str, error_text: str) -> SmsDeliveryError:
    name, code, retryable = _STATUSES.get(status, ("Unknown status", SmsFailure.REJECTED, True))
    detail = f": {error_text}" if error_text and error_text != name else ""
    return SmsDeliveryError(
        f"Vonage status {status} ({name}){detail}",
        retryable=retryable,
        code=code,
        provider_code=status,
    )


def http_refusal(status_code: int, body: str) -> SmsDeliveryError:
    """An HTTP error status: 429 and 5xx may pass, any other 4xx will not."""
    snippet = " ".join(body.split())[:200]
    reason = f"Vonage answered HTTP {status_code}" + (f": {snippet}" if snippet else "")
    code: SmsFailure
    if status_code == 429:
        code, retryable = SmsFailure.THROTTLED, True
    elif status_code == 401:
        code, retryable = SmsFailure.CREDENTIALS_REFUSED, False
    elif status_code == 403:
        code, retryable = SmsFailure.ACCOUNT_REFUSED, False
    elif status_code == 408:
        code, retryable = SmsFailure.TIMEOUT, True
    elif status_code >= 500:
        code, retryable = SmsFailure.UNAVAILABLE, True
    else:
        code, retryable = SmsFailure.REJECTED, False
    return SmsDeliveryError(
        reason, retryable=retryable, code=code, provider_code=f"http-{status_code}"
    )


def unexpected_answer(detail: str) -> SmsDeliveryError:
    """An answer that is not the documented shape: a proxy's page, a truncated body."""
    return SmsDeliveryError(
        f"unexpected answer from Vonage: {detail[:200]}",
        retryable=True,
        code=SmsFailure.REJECTED,
    )
