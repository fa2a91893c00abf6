"""Use cases on identity: proving who a user or an operator is."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from uuid import UUID

from core.errors import InvalidInput, Unauthenticated
from core.identity.model import User
from ports.clock import Clock
from ports.operator_keys import OperatorKey, OperatorKeys
from ports.passwords import PasswordHasher
from ports.unit_of_work import TenantUnitOfWorkFactory

# Verified when the address is unknown, so a wrong address costs as much time as a
# wrong password and response times do not reveal which accounts exist.
_DECOY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$"
    "Vq1v2CkIY3Zfs2qDmyl0Hk0Ph3hY3FZYwBMzkQzmcJ8"
)


async def authenticate(
    tenant_id: UUID,
    email: str,
    password: str,
    *,
    tenant_uow: TenantUnitOfWorkFactory,
    hasher: PasswordHasher,
) -> User:
    """Return the user whose address and password match, or raise one uniform error."""
    async with tenant_uow(tenant_id) as uow:
        user = await uow.users.find_by_email(email.strip().lower())
    if user is None:
        hasher.verify(_DECOY_HASH, password)
        raise Unauthenticated("invalid e-mail address or password")
    if not hasher.verify(user.password_hash, password):
        raise Unauthenticated("invalid e-mail address or password")
    return user


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
