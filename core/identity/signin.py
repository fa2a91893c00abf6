"""Signing in, staying signed in, and signing out.

A sign-in answers a short-lived access token (minted by the API) and a refresh token that
starts a family; each refresh replaces the token with the next of its family. Repeated wrong
passwords lock the account for a while; a right one resets the count.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from core.errors import Unauthenticated
from core.identity.credentials import RefreshToken, hash_secret, new_secret
from core.identity.dependencies import IdentityDependencies
from core.identity.model import User, UserStatus
from ports.unit_of_work import TenantUnitOfWork

# Verified when no usable hash exists, so a wrong address costs as much time as a wrong
# password and response times do not reveal which accounts exist.
DECOY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$"
    "Vq1v2CkIY3Zfs2qDmyl0Hk0Ph3hY3FZYwBMzkQzmcJ8"
)
_WRONG = "invalid e-mail address or password"


class AccountLocked(Unauthenticated):
    """Too many wrong passwords in a row: the account opens again after ``retry_after``."""

    code = "account_locked"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"too many failed sign-ins; try again in {retry_after_seconds} seconds",
            code=self.code,
        )
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The user and, this once, the plaintext of their new refresh token."""

    user: User
    refresh_token: str
    refresh_expires_at: datetime


async def sign_in(
    tenant_id: UUID, email: str, password: str, deps: IdentityDependencies
) -> SignedIn:
    """Check the password, count failures towards a lockout, and start a refresh family."""
    now = deps.clock.now()
    async with deps.tenant_uow(tenant_id) as uow:
        user = await uow.users.find_by_email(email.strip().lower())
        if user is None:
            deps.hasher.verify(DECOY_HASH, password)
            raise Unauthenticated(_WRONG)
        if user.locked_until is not None and now < user.locked_until:
            raise AccountLocked(math.ceil((user.locked_until - now).total_seconds()))
        matches = deps.hasher.verify(user.password_hash or DECOY_HASH, password)
        if not matches or user.status is not UserStatus.ACTIVE:
            if user.status is UserStatus.ACTIVE:
                await uow.users.save(_count_failure(user, now, deps))
                await uow.commit()
            raise Unauthenticated(_WRONG)
        if user.failed_logins or user.locked_until is not None:
            user = replace(user, failed_logins=0, locked_until=None)
            await uow.users.save(user)
        plaintext, token = _new_refresh(user.id, uuid.uuid4(), now, deps)
        await uow.refresh_tokens.add(token)
        await uow.commit()
    return SignedIn(user, plaintext, token.expires_at)


async def refresh(tenant_id: UUID, plaintext: str, deps: IdentityDependencies) -> SignedIn:
    """Replace a refresh token with the next of its family.

    A token already replaced means two parties hold it: the whole family is revoked, so the
    thief and the owner both have to sign in again.
    """
    now = deps.clock.now()
    async with deps.tenant_uow(tenant_id) as uow:
        token = await uow.refresh_tokens.find_by_hash(hash_secret(plaintext))
        if token is None or token.revoked_at is not None or now >= token.expires_at:
            raise Unauthenticated("invalid or expired refresh token", code="invalid_refresh_token")
        if token.rotated_at is not None or not await uow.refresh_tokens.mark_rotated(token.id, now):
            await _revoke_family(uow, token.family_id, now)
            raise Unauthenticated(
                "this refresh token was already used; sign in again", code="refresh_token_reused"
            )
        user = await uow.users.get(token.user_id)
        if user is None or user.status is not UserStatus.ACTIVE:
            raise Unauthenticated("invalid or expired refresh token", code="invalid_refresh_token")
        next_plaintext, successor = _new_refresh(user.id, token.family_id, now, deps)
        await uow.refresh_tokens.add(successor)
        await uow.commit()
    return SignedIn(user, next_plaintext, successor.expires_at)


async def sign_out(tenant_id: UUID, plaintext: str, deps: IdentityDependencies) -> None:
    """End the sign-in the token belongs to; an unknown or spent token changes nothing."""
    now = deps.clock.now()
    async with deps.tenant_uow(tenant_id) as uow:
        token = await uow.refresh_tokens.find_by_hash(hash_secret(plaintext))
        if token is not None and token.revoked_at is None:
            await _revoke_family(uow, token.family_id, now)


def _count_failure(user: User, now: datetime, deps: IdentityDependencies) -> User:
    failures = user.failed_logins + 1
    if failures >= deps.rules.max_failed_logins:
        return replace(user, failed_logins=0, locked_until=now + deps.rules.lockout)
    return replace(user, failed_logins=failures)


def _new_refresh(
    user_id: UUID, family_id: UUID, now: datetime, deps: IdentityDependencies
) -> tuple[str, RefreshToken]:
    plaintext, digest = new_secret()
    token = RefreshToken(
        id=uuid.uuid4(),
        user_id=user_id,
        family_id=family_id,
        token_hash=digest,
        created_at=now,
        expires_at=now + deps.rules.refresh_ttl,
    )
    return plaintext, token


async def _revoke_family(uow: TenantUnitOfWork, family_id: UUID, now: datetime) -> None:
    await uow.refresh_tokens.revoke_family(family_id, now)
    await uow.commit()
