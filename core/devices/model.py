"""Devices, pairing requests and the rules on their codes.

Pairing follows the OAuth 2.0 device authorization grant (RFC 8628): the device shows a
short user code, a signed-in user approves it in the portal, and the device, polling with
its long secret device code, then receives a credential of its own.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from core.errors import DomainError, InvalidInput

PAIRING_TTL = timedelta(minutes=10)
POLL_INTERVAL = timedelta(seconds=5)
SLOW_DOWN_STEP = timedelta(seconds=5)
# last_seen_at is written at most this often per device, not on every request.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)

DEVICE_CREDENTIAL_PREFIX = "pxd_"
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# RFC 8628 section 6.1: consonants only, so no word can be spelled and no 0/O or 1/I mixed up.
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
USER_CODE_LENGTH = 8


class DeviceKind(StrEnum):
    GLASSES = "glasses"
    PHONE = "phone"


class DeviceStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class PairingStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    COMPLETED = "completed"


class DeviceGrantError(DomainError):
    """An RFC 8628 section 3.5 answer to a poll; ``code`` is the RFC ``error`` value."""


@dataclass(frozen=True, slots=True)
class Device:
    id: UUID
    serial: str
    model: str
    kind: DeviceKind
    display_name: str
    owner_id: UUID
    status: DeviceStatus
    credential_hash: str
    created_at: datetime
    paired_at: datetime
    last_seen_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status is DeviceStatus.ACTIVE

    def seen(self, now: datetime) -> Device | None:
        """The device with a new last_seen_at, or None while the recorded one is recent enough."""
        if self.last_seen_at is not None and now - self.last_seen_at < LAST_SEEN_RESOLUTION:
            return None
        return replace(self, last_seen_at=now)


@dataclass(frozen=True, slots=True)
class DeviceAuthorization:
    """One pairing request, from the device's first call until its credential is issued."""

    id: UUID
    device_code_hash: str
    user_code: str
    serial: str
    model: str
    kind: DeviceKind
    status: PairingStatus
    created_at: datetime
    expires_at: datetime
    interval_seconds: int
    last_polled_at: datetime | None = None
    decided_by: UUID | None = None
    display_name: str | None = None
    device_id: UUID | None = None

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def polled(self, now: datetime) -> DeviceAuthorization:
        """Record a poll; one sooner than the interval answers slow_down and widens it (3.5)."""
        too_soon = self.last_polled_at is not None and now - self.last_polled_at < timedelta(
            seconds=self.interval_seconds
        )
        interval = self.interval_seconds + int(SLOW_DOWN_STEP.total_seconds()) * too_soon
        return replace(self, last_polled_at=now, interval_seconds=interval)


def new_device_code() -> str:
    """256 random bits: only the device that asked for the pairing knows it."""
    return secrets.token_urlsafe(32)


def new_user_code() -> str:
    """8 characters from a 20-letter alphabet: about 2.6e10 codes, valid for 10 minutes."""
    return "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH))


def new_device_credential() -> str:
    return DEVICE_CREDENTIAL_PREFIX + secrets.token_urlsafe(32)


def hash_secret(plaintext: str) -> str:
    """Device codes and credentials are 256 random bits, so a fast hash cannot be brute-forced."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def display_user_code(user_code: str) -> str:
    """How a person reads the code: XXXX-XXXX."""
    half = len(user_code) // 2
    return f"{user_code[:half]}-{user_code[half:]}"


def normalize_user_code(typed: str, *, field: str = "user_code") -> str:
    """Accept the code as people type it: any case, with or without dashes and spaces."""
    cleaned = "".join(ch for ch in typed.upper() if ch not in "- ")
    if len(cleaned) != USER_CODE_LENGTH or any(ch not in USER_CODE_ALPHABET for ch in cleaned):
        raise InvalidInput(
            f"a code is {USER_CODE_LENGTH} letters like BCDF-GHJK",
            field=field,
            code="invalid_user_code",
        )
    return cleaned


def validate_serial(serial: str, *, field: str = "serial") -> str:
    cleaned = serial.strip()
    if not 1 <= len(cleaned) <= 100 or not cleaned.isprintable():
        raise InvalidInput("serial must be 1-100 printable characters", field=field)
    return cleaned


def validate_model(model: str, *, field: str = "model") -> str:
    cleaned = " ".join(model.split())
    if not 1 <= len(cleaned) <= 100:
        raise InvalidInput("model must be 1-100 characters", field=field)
    return cleaned


def validate_device_name(name: str, *, field: str = "display_name") -> str:
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= 100:
        raise InvalidInput("device name must be 1-100 characters", field=field)
    return cleaned
