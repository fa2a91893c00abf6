"""The password policy: long enough, not the user's own address, not a well-known password.

NIST SP 800-63B asks for length and a check against known-compromised values rather than
composition rules; the list is bundled so the check works offline.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from importlib import resources

from core.errors import InvalidInput

MIN_PASSWORD = 12
MAX_PASSWORD = 256


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("core.identity").joinpath("common_passwords.txt").read_text("utf-8")
    lines = (line.strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


@cache
def password_pattern() -> str:
    """The length and common-password rules as one regular expression, for API schemas.

    Every string it matches passes those two rules and every other string fails them: the
    common passwords are excluded by a lookahead, each letter written as the class of
    characters that fold to it (``k`` also stands for the Kelvin sign), since the comparison
    ignores case. The rule about the e-mail address's name part links two fields and stays
    out of it.
    """
    folds = _case_folds({char for word in common_passwords() for char in word})
    words = sorted(common_passwords())
    excluded = "|".join("".join(folds.get(char, re.escape(char)) for char in w) for w in words)
    return f"^(?!(?:{excluded})$)[\\s\\S]{{{MIN_PASSWORD},{MAX_PASSWORD}}}$"


def _case_folds(chars: set[str]) -> dict[str, str]:
    """For each character, a class of every character whose lower case is that character."""
    found: dict[str, set[str]] = {}
    for point in range(sys.maxunicode + 1):
        lowered = chr(point).lower()
        if lowered in chars and lowered != chr(point):
            found.setdefault(lowered, {lowered}).add(chr(point))
    return {char: "[" + "".join(sorted(group)) + "]" for char, group in found.items()}


def check_password(password: str, *, email: str | None = None, field: str = "password") -> str:
    """Return the password unchanged if the policy accepts it, else raise with a stable code."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(
            f"password must be {MIN_PASSWORD}-{MAX_PASSWORD} characters",
            field=field,
            code="weak_password",
        )
    folded = password.lower()
    if folded in common_passwords():
        raise InvalidInput(
            "this password is among the most common ones; choose another",
            field=field,
            code="common_password",
        )
    local_part = (email or "").split("@", 1)[0].lower()
    if len(local_part) >= 3 and local_part in folded:
        raise InvalidInput(
            "the password may not contain the e-mail address's name part",
            field=field,
            code="password_contains_email",
        )
    return password
