"""Users, roles and the rules on e-mail addresses and passwords."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from core.errors import InvalidInput

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 12
MAX_PASSWORD = 256


class Role(StrEnum):
    ADMIN = "admin"
    EXPERT = "expert"
    FIELD_ENGINEER = "field_engineer"
    OBSERVER = "observer"

    @property
    def may_host(self) -> bool:
        return self in (Role.ADMIN, Role.EXPERT)


@dataclass(frozen=True, slots=True)
class User:
    id: UUID
    email: str
    display_name: str
    role: Role
    password_hash: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is calling a use case: a signed-in user of one tenant."""

    tenant_id: UUID
    user_id: UUID
    role: Role


def normalize_email(email: str, *, field: str = "email") -> str:
    """Addresses are compared case-insensitively; the domain part rules out obvious typos."""
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.fullmatch(cleaned):
        raise InvalidInput("not a valid e-mail address", field=field, code="invalid_email")
    return cleaned


def validate_password(password: str, *, field: str = "password") -> str:
    """Length is what makes a password strong; composition rules only annoy (NIST SP 800-63B)."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(
            f"password must be {MIN_PASSWORD}-{MAX_PASSWORD} characters",
            field=field,
            code="weak_password",
        )
    return password


def validate_person_name(name: str, *, field: str = "display_name") -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 200:
        raise InvalidInput("name must be 1-200 characters", field=field)
    return cleaned
