"""What an SMS may carry and what it costs: numbers, sender ids, encoding and parts.

An SMS is billed per part. Text made only of GSM 03.38 characters travels as GSM-7:
160 characters in one part, or 153 per part once it is split (the rest of each part holds
the header that lets the phone join them). Any other character switches the whole
message to UCS-2: 70 characters in one part, 67 per part once split. Characters of the
GSM extension table (``€ [ ] { } ~ ^ | \\`` and form feed) cost two GSM-7 units; a
character outside Unicode's basic plane (most emoji) costs two UCS-2 units. A unit pair
is never split across two parts, so the count below fills parts the way phones join them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from core.errors import InvalidInput

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_ALPHANUMERIC_SENDER = re.compile(r"[A-Za-z0-9 ]{1,11}")
_NUMERIC_SENDER = re.compile(r"[0-9]{3,15}")


class SmsEncoding(StrEnum):
    GSM_7 = "gsm-7"
    UCS_2 = "ucs-2"


_LIMITS = {SmsEncoding.GSM_7: (160, 153), SmsEncoding.UCS_2: (70, 67)}


@dataclass(frozen=True, slots=True)
class SmsLength:
    """How a text travels: its encoding, its size in that encoding's units, its parts."""

    encoding: SmsEncoding
    units: int
    parts: int


def measure_sms(text: str) -> SmsLength:
    """Encoding and number of parts of ``text``; an empty text still takes one part."""
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in text):
        encoding = SmsEncoding.GSM_7
        widths = [2 if char in GSM_EXTENSION else 1 for char in text]
    else:
        encoding = SmsEncoding.UCS_2
        widths = [2 if ord(char) > 0xFFFF else 1 for char in text]
    single, per_part = _LIMITS[encoding]
    units = sum(widths)
    if units <= single:
        return SmsLength(encoding, units, 1)
    parts, used = 1, 0
    for width in widths:
        if used + width > per_part:
            parts, used = parts + 1, 0
        used += width
    return SmsLength(encoding, units, parts)


def is_e164(number: str) -> bool:
    """``+``, a country code and the subscriber number: 7 to 15 digits, no leading zero."""
    return _E164.fullmatch(number) is not None


def validate_phone(number: str, *, field: str = "phone") -> str:
    """A phone number someone typed, spaces and dashes allowed, kept as E.164."""
    cleaned = "".join(number.split()).replace("-", "")
    if not is_e164(cleaned):
        raise InvalidInput(
            "phone must be an international number: + and 7 to 15 digits, e.g. +32470123456",
            field=field,
            code="invalid_phone",
        )
    return cleaned


def is_sender_id(sender: str) -> bool:
    """Up to 11 letters, digits and spaces with at least one letter, or a number of 3 to 15
    digits (a short code or a long number in E.164 without its ``+``)."""
    if _NUMERIC_SENDER.fullmatch(sender):
        return True
    return (
        _ALPHANUMERIC_SENDER.fullmatch(sender) is not None
        and any(char.isalpha() for char in sender)
        and sender.strip() == sender
    )
