"""Secrets a user or an integration holds: one-time tokens, refresh tokens, API keys.

Every one is 256 random bits, so it is stored as a SHA-256 digest: a fast hash is enough
when brute force is impossible, and a stolen table reveals no usable secret.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

API_KEY_PREFIX = "pxk_"


def hash_secret(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def new_secret(prefix: str = "") -> tuple[str, str]:
    """A fresh plaintext secret and the digest to store in its place."""
    plaintext = prefix + secrets.token_urlsafe(32)
    return plaintext, hash_secret(plaintext)


class TokenPurpose(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name, not a secret


@dataclass(frozen=True, slots=True)
class OneTimeToken:
    """A link sent by e-mail to set a password: used once, then never again."""

    id: UUID
    user_id: UUID
    purpose: TokenPurpose
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """One link of a sign-in's chain: each refresh replaces it with the next of its family.

    A family is every token descended from one sign-in; presenting a token that was already
    replaced means it leaked, so the whole family is revoked.
    """

    id: UUID
    user_id: UUID
    family_id: UUID
    token_hash: str
    created_at: datetime
    expires_at: datetime
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.rotated_at is None and self.revoked_at is None and now < self.expires_at


class ApiScope(StrEnum):
    """What an integration's key may do; a key holds a fixed subset, chosen when created."""

    SESSIONS_READ = "sessions:read"
    SESSIONS_WRITE = "sessions:write"
    USERS_READ = "users:read"
    USERS_WRITE = "users:write"
    NOTIFICATIONS_READ = "notifications:read"
    NOTIFICATIONS_WRITE = "notifications:write"
    DEVICES_READ = "devices:read"
    DEVICES_WRITE = "devices:write"


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: UUID
    name: str
    prefix: str
    """The first characters of the plaintext, so people can tell their keys apart."""
    key_hash: str
    scopes: frozenset[ApiScope]
    created_by: UUID
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)
