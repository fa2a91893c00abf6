"""Use cases on identity: proving who a platform operator is (users sign in in signin.py)."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from core.errors import InvalidInput, Unauthenticated
from ports.clock import Clock
from ports.operator_keys import OperatorKey, OperatorKeys

OPERATOR_KEY_PREFIX = "pxo_"


def hash_operator_key(plaintext: str) -> str:
    """Operator keys are 256 random bits, so a fast hash is enough (no brute force possible)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


async def create_operator_key(
    name: str, *, keys: OperatorKeys, clock: Clock
) -> tuple[str, OperatorKey]:
    """Create a key for a platform operator; the plaintext is returned once and never stored."""
    cleaned = name.strip()
    if not 1 <= len(cleaned) <= 100:
        raise InvalidInput("key name must be 1-100 characters", field="name")
    plaintext = OPERATOR_KEY_PREFIX + secrets.token_urlsafe(32)
    key = OperatorKey(
        id=uuid.uuid4(), name=cleaned, key_hash=hash_operator_key(plaintext), created_at=clock.now()
    )
    await keys.add(key)
    return plaintext, key


async def authenticate_operator(plaintext: str, *, keys: OperatorKeys) -> OperatorKey:
    key = await keys.find_by_hash(hash_operator_key(plaintext))
    if key is None:
        raise Unauthenticated("invalid operator key")
    return key
