"""Secrets sealed with AES-256-GCM under a ring of deployment keys.

A sealed value reads ``v1:<key id>:<base64url(nonce + ciphertext + tag)>``: ``v1`` names
this format, the key id (6 hex characters of the key's SHA-256) names the key that sealed
it, and the nonce is 96 random bits, new for every seal. The context is the associated
data, so the tag fails for a value moved to another row or tenant. The first key of the
ring seals; every key opens, so an operator adds a new key first, seals again, then
removes the old one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ports.secret_sealer import SecretUnreadable

VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_CHARS = 6


class InvalidKeyRing(ValueError):
    """The configured keys are not a usable ring: empty, malformed, or repeated."""


def new_key() -> str:
    """A fresh key as the settings take it: base64url of 32 random bytes."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode().rstrip("=")


def parse_keys(text: str) -> list[bytes]:
    """Comma-separated base64url keys, newest first, as ``encryption.keys`` holds them."""
    keys = [_key(part.strip()) for part in text.split(",") if part.strip()]
    if not keys:
        raise InvalidKeyRing("no key given")
    if len({key_id(key) for key in keys}) != len(keys):
        raise InvalidKeyRing("a key is given twice")
    return keys


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:KEY_ID_CHARS]


class AesGcmSealer:
    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise InvalidKeyRing("no key given")
        self._newest = key_id(keys[0])
        self._ciphers = {key_id(key): AESGCM(key) for key in keys}

    def seal(self, secret: str, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self._newest].encrypt(nonce, secret.encode(), context.encode())
        body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{VERSION}:{self._newest}:{body}"

    def open(self, stored: str, context: str) -> str:
        if not stored.startswith(f"{VERSION}:"):
            return stored
        parts = stored.split(":", 2)
        if len(parts) != 3:
            raise SecretUnreadable("a sealed value is v1:<key id>:<sealed bytes>")
        _, sealed_by, body = parts
        cipher = self._ciphers.get(sealed_by)
        if cipher is None:
            raise SecretUnreadable(f"sealed with key {sealed_by!r}, which is not configured")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()).decode()
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise SecretUnreadable(f"a value sealed with key {sealed_by!r} does not open") from exc

    def is_current(self, stored: str) -> bool:
        return stored.startswith(f"{VERSION}:{self._newest}:")


def _key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error) as exc:
        raise InvalidKeyRing("a key is not base64url") from exc
    if len(key) != KEY_BYTES:
        raise InvalidKeyRing(f"a key is {KEY_BYTES} bytes (base64url, 43 characters)")
    return key
