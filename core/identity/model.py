"""Users, roles and the rules on e-mail addresses and passwords."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from core.errors import InvalidInput
from core.identity.passwords import check_password

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = rf"^(?=[^@]{{1,64}}@){_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+{_LABEL}$"
"""What the platform takes for an address (RFC 5321, ASCII): a dot-atom name part of up to
64 characters, ``@``, and a domain name with at least one dot."""
_EMAIL = re.compile(EMAIL_PATTERN)


class Role(StrEnum):
    ADMIN = "admin"
    EXPERT = "expert"
    FIELD_ENGINEER = "field_engineer"
    OBSERVER = "observer"

    @property
    def may_host(self) -> bool:
        return Capability.HOST in self.default_capabilities

    @property
    def default_capabilities(self) -> frozenset[Capability]:
        """What a new user of this role may do until an admin changes it."""
        return _ROLE_CAPABILITIES[self]


class Capability(StrEnum):
    """Things a user may be allowed beyond the role's defaults (or denied within them)."""

    HOST = "may_host"
    RECORD = "may_record"
    INVITE_GUESTS = "may_invite_guests"


_ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.EXPERT: frozenset(Capability),
    Role.FIELD_ENGINEER: frozenset({Capability.INVITE_GUESTS}),
    Role.OBSERVER: frozenset(),
}


class UserStatus(StrEnum):
    """Invited users have no password yet; deactivated ones cannot sign in."""

    INVITED = "invited"
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


def with_flags(
    capabilities: frozenset[Capability], flags: Mapping[Capability, bool]
) -> frozenset[Capability]:
    """Grant the capabilities flagged True and withdraw those flagged False."""
    granted = {c for c, on in flags.items() if on}
    withdrawn = {c for c, on in flags.items() if not on}
    return frozenset((capabilities - withdrawn) | granted)


class PrincipalKind(StrEnum):
    """What proved itself on a request: a person, an integration's key, or a paired device."""

    USER = "user"
    API_KEY = "api_key"
    DEVICE = "device"


@dataclass(frozen=True, slots=True)
class User:
    id: UUID
    email: str
    display_name: str
    role: Role
    password_hash: str
    created_at: datetime
    capabilities: frozenset[Capability] | None = None
    """None until an admin sets them explicitly: the role's defaults then apply."""
    status: UserStatus = UserStatus.ACTIVE
    failed_logins: int = 0
    locked_until: datetime | None = None

    @property
    def effective_capabilities(self) -> frozenset[Capability]:
        if self.capabilities is None:
            return self.role.default_capabilities
        return self.capabilities


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is calling a use case in one tenant: a user, an API key or a device.

    ``user_id`` is always a user of the tenant, so ownership rules keep working: the user
    themself, the admin who created an API key, or the owner of a device. ``role`` is that
    user's role (an API key acts with the role of the admin who created it, limited by its
    scopes). ``scopes`` is None when the principal is not scope-limited (users, devices).
    ``capabilities`` is None when they were not resolved: the role's defaults then apply.
    """

    tenant_id: UUID
    user_id: UUID
    role: Role
    kind: PrincipalKind = PrincipalKind.USER
    device_id: UUID | None = None
    api_key_id: UUID | None = None
    scopes: frozenset[str] | None = None
    capabilities: frozenset[Capability] | None = None

    @classmethod
    def for_user(cls, tenant_id: UUID, user: User) -> Actor:
        return cls(
            tenant_id=tenant_id,
            user_id=user.id,
            role=user.role,
            capabilities=user.effective_capabilities,
        )

    @classmethod
    def for_api_key(
        cls, tenant_id: UUID, *, key_id: UUID, creator_id: UUID, scopes: frozenset[str]
    ) -> Actor:
        """An integration acts as an admin limited to its scopes (only admins create keys)."""
        return cls(
            tenant_id=tenant_id,
            user_id=creator_id,
            role=Role.ADMIN,
            kind=PrincipalKind.API_KEY,
            api_key_id=key_id,
            scopes=scopes,
        )

    @classmethod
    def for_device(cls, tenant_id: UUID, *, device_id: UUID, owner: User) -> Actor:
        """A paired device acts for its owner, with the owner's role and capabilities."""
        return cls(
            tenant_id=tenant_id,
            user_id=owner.id,
            role=owner.role,
            kind=PrincipalKind.DEVICE,
            device_id=device_id,
            capabilities=owner.effective_capabilities,
        )

    @property
    def effective_capabilities(self) -> frozenset[Capability]:
        if self.capabilities is None:
            return self.role.default_capabilities
        return self.capabilities

    def may(self, capability: Capability) -> bool:
        return capability in self.effective_capabilities


def normalize_email(email: str, *, field: str = "email") -> str:
    """Addresses are compared case-insensitively; the domain part rules out obvious typos."""
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.fullmatch(cleaned):
        raise InvalidInput("not a valid e-mail address", field=field, code="invalid_email")
    return cleaned


def validate_password(password: str, *, field: str = "password", email: str | None = None) -> str:
    """Length is what makes a password strong; composition rules only annoy (NIST SP 800-63B)."""
    return check_password(password, email=email, field=field)


def validate_person_name(name: str, *, field: str = "display_name") -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 200:
        raise InvalidInput("name must be 1-200 characters", field=field)
    return cleaned
