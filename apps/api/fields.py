"""String fields whose format the API enforces, declared once so schema and server agree.

msgspec checks every constraint given here while decoding a request, and the OpenAPI
document shows the same constraints: a value the document allows is one the server takes
(the core's own checks accept at least as much), and a value it does not allow is refused
with 422 (400 for a parameter) before a handler runs. A pattern registered with
``format_rule`` is answered with its rule in words and a stable code, not the expression.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.openapi.spec import OpenAPIFormat

from core.devices.model import USER_CODE_ALPHABET, USER_CODE_LENGTH
from core.identity.model import EMAIL_PATTERN
from core.identity.passwords import MAX_PASSWORD, MIN_PASSWORD, password_pattern
from core.notifications.kinds import Locale

__all__ = [
    "Email",
    "Locale",
    "NewPassword",
    "PersonName",
    "Phone",
    "UserCode",
    "explain_format",
    "format_rule",
    "text",
]

_FORMAT_RULES: dict[str, tuple[str, str]] = {}


def format_rule(pattern: str, code: str, rule: str) -> str:
    """Register what ``pattern`` means (returned unchanged, to use in ``msgspec.Meta``)."""
    _FORMAT_RULES[repr(pattern)] = (code, rule)
    return pattern


def explain_format(message: str) -> tuple[str, str] | None:
    """The code and rule of the registered pattern a decoding error names, if any."""
    return next((rule for quoted, rule in _FORMAT_RULES.items() if quoted in message), None)


Email = Annotated[
    str,
    msgspec.Meta(
        max_length=254,
        pattern=format_rule(
            EMAIL_PATTERN,
            "invalid_email",
            "must be an e-mail address: a name part, @, and a domain name with a dot",
        ),
        description="An e-mail address: a name part, @, and a domain with a dot.",
        examples=["ops@acme.example"],
        extra_json_schema={"extra": {"format": OpenAPIFormat.EMAIL}},
    ),
]
NewPassword = Annotated[
    str,
    msgspec.Meta(
        min_length=MIN_PASSWORD,
        max_length=MAX_PASSWORD,
        pattern=format_rule(
            password_pattern(), "common_password", "is one of the most common passwords"
        ),
        description=f"{MIN_PASSWORD} to {MAX_PASSWORD} characters, not one of the most common "
        "passwords (compared ignoring case: the pattern lists them), and not containing the "
        "name part of the account's e-mail address.",
        examples=["correct horse battery staple"],
    ),
]
PersonName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=200,
        pattern=r"\S",
        description="Shown to people; runs of spaces are collapsed.",
        examples=["Ada Admin"],
    ),
]
Phone = Annotated[
    str,
    msgspec.Meta(
        max_length=32,
        pattern=format_rule(
            r"^\+[1-9](?:[ -]?[0-9]){6,14}$",
            "invalid_phone",
            "must be an international number: +, the country code and 7 to 15 digits",
        ),
        description="International number (E.164): +, the country code and the number, "
        "7 to 15 digits; single spaces or dashes between digits are dropped.",
        examples=["+32470123456"],
    ),
]
_CODE_LETTER = f"[{USER_CODE_ALPHABET}{USER_CODE_ALPHABET.lower()}]"
UserCode = Annotated[
    str,
    msgspec.Meta(
        max_length=20,
        pattern=format_rule(
            f"^[ -]*(?:{_CODE_LETTER}[ -]*){{{USER_CODE_LENGTH}}}$",
            "invalid_user_code",
            f"must be the {USER_CODE_LENGTH} letters the device shows",
        ),
        description="The code the device shows; any case, dashes and spaces optional.",
        examples=["BCDF-GHJK"],
    ),
]


def text(max_length: int, *, example: str, description: str | None = None) -> msgspec.Meta:
    """Free text shown to people: at least one visible character; spaces may be collapsed."""
    return msgspec.Meta(
        min_length=1,
        max_length=max_length,
        pattern=r"\S",
        description=description,
        examples=[example],
    )
