"""The users of a tenant: invited by an admin, managed by admins, reset by themselves.

Invitation and password-reset links carry a one-time token; only its digest is stored, and
the message leaves through the outbox in the same transaction as the token.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from core.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from core.identity.credentials import OneTimeToken, TokenPurpose, hash_secret, new_secret
from core.identity.dependencies import IdentityDependencies
from core.identity.model import (
    Actor,
    Capability,
    Role,
    User,
    UserStatus,
    normalize_email,
    validate_password,
    validate_person_name,
    with_flags,
)
from core.identity.permissions import Action, authorize
from core.notifications.kinds import validate_locale
from core.notifications.model import Channel, OutboxMessage
from core.notifications.routing import queued_message, route
from ports.pagination import Page, PageRequest
from ports.unit_of_work import TenantUnitOfWork


def user_not_found() -> NotFound:
    return NotFound("no such user", field="user_id", code="user_not_found")


@dataclass(frozen=True, slots=True)
class InviteUser:
    email: str
    display_name: str
    role: Role
    locale: str = "en"
    flags: Mapping[Capability, bool] = field(default_factory=dict)
    """Departures from the role's default capabilities."""


@dataclass(frozen=True, slots=True)
class UserChanges:
    """Only the fields given change; each flag grants (True) or withdraws (False) one."""

    display_name: str | None = None
    role: Role | None = None
    flags: Mapping[Capability, bool] = field(default_factory=dict)


async def list_users(
    actor: Actor, page: PageRequest, deps: IdentityDependencies, *, role: Role | None = None
) -> Page[User]:
    authorize(actor, Action.USERS_LIST)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await uow.users.list(page, role=role)


async def get_user(actor: Actor, user_id: UUID, deps: IdentityDependencies) -> User:
    authorize(actor, Action.USERS_READ)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await _existing(uow, user_id)


async def invite_user(
    actor: Actor, request: InviteUser, deps: IdentityDependencies
) -> tuple[User, OutboxMessage]:
    """Create the account without a password and send the set-up link with it."""
    authorize(actor, Action.USERS_INVITE)
    email = normalize_email(request.email)
    name = validate_person_name(request.display_name)
    locale = validate_locale(request.locale)
    to = route("account_invitation", {Channel.EMAIL: email}, deps.channel_chains)
    now = deps.clock.now()
    user = User(
        id=uuid.uuid4(),
        email=email,
        display_name=name,
        role=request.role,
        password_hash="",
        created_at=now,
        capabilities=with_flags(request.role.default_capabilities, request.flags)
        if request.flags
        else None,
        status=UserStatus.INVITED,
    )
    async with deps.tenant_uow(actor.tenant_id) as uow:
        inviter = await uow.users.get(actor.user_id)
        await uow.users.add(user)
        link = await _one_time_link(uow, user, TokenPurpose.INVITATION, now, deps)
        ttl = deps.rules.invitation_ttl
        payload = {
            "user_name": name,
            "inviter_name": inviter.display_name if inviter else "",
            "setup_url": f"{deps.public_url.rstrip('/')}/setup#{link}",
            "expires_in_hours": str(int(ttl.total_seconds() // 3600)),
            "locale": locale,
        }
        message = queued_message("account_invitation", to, payload, now)
        await uow.outbox.add(message)
        await uow.commit()
    return user, message


async def accept_invitation(
    tenant_id: UUID, token: str, password: str, deps: IdentityDependencies
) -> User:
    """The invited person chooses a password: the account becomes active, the link spent."""
    now = deps.clock.now()
    async with deps.tenant_uow(tenant_id) as uow:
        found = await _usable_token(uow, token, TokenPurpose.INVITATION, now)
        user = await _existing(uow, found.user_id)
        if user.status is not UserStatus.INVITED:
            raise _unusable()
        validate_password(password, email=user.email)
        user = replace(user, password_hash=deps.hasher.hash(password), status=UserStatus.ACTIVE)
        await _spend(uow, found, now)
        await uow.users.save(user)
        await uow.commit()
    return user


async def request_password_reset(
    tenant_id: UUID, email: str, deps: IdentityDependencies, *, locale: str = "en"
) -> None:
    """Send a reset link if an active account has this address; say nothing either way."""
    try:
        address = normalize_email(email)
    except InvalidInput:
        return
    now = deps.clock.now()
    async with deps.tenant_uow(tenant_id) as uow:
        user = await uow.users.find_by_email(address)
        if user is None or user.status is not UserStatus.ACTIVE:
            return
        link = await _one_time_link(uow, user, TokenPurpose.PASSWORD_RESET, now, deps)
        ttl = deps.rules.password_reset_ttl
        payload = {
            "user_name": user.display_name,
            "reset_url": f"{deps.public_url.rstrip('/')}/reset#{link}",
            "expires_in_minutes": str(int(ttl.total_seconds() // 60)),
            "locale": locale,
        }
        to = route("password_reset", {Channel.EMAIL: address}, deps.channel_chains)
        await uow.outbox.add(queued_message("password_reset", to, payload, now))
        await uow.commit()


async def confirm_password_reset(
    tenant_id: UUID, token: str, password: str, deps: IdentityDependencies
) -> User:
    """Set the new password, lift any lockout, and sign the user out everywhere."""
    now = deps.clock.now()
    async with deps.tenant_uow(tenant_id) as uow:
        found = await _usable_token(uow, token, TokenPurpose.PASSWORD_RESET, now)
        user = await _existing(uow, found.user_id)
        if user.status is not UserStatus.ACTIVE:
            raise _unusable()
        validate_password(password, email=user.email)
        user = replace(
            user, password_hash=deps.hasher.hash(password), failed_logins=0, locked_until=None
        )
        await _spend(uow, found, now)
        await uow.users.save(user)
        await uow.refresh_tokens.revoke_for_user(user.id, now)
        await uow.commit()
    return user


async def update_user(
    actor: Actor, user_id: UUID, changes: UserChanges, deps: IdentityDependencies
) -> User:
    authorize(actor, Action.USERS_ADMINISTER)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        user = await _existing(uow, user_id, for_update=True)
        updated = replace(
            user,
            display_name=validate_person_name(changes.display_name)
            if changes.display_name is not None
            else user.display_name,
            role=changes.role or user.role,
        )
        if changes.flags:
            flagged = with_flags(updated.effective_capabilities, changes.flags)
            updated = replace(updated, capabilities=flagged)
        if updated.role is not Role.ADMIN:
            await _keep_an_admin(uow, user, field="role")
        await uow.users.save(updated)
        await uow.commit()
    return updated


async def set_active(actor: Actor, user_id: UUID, active: bool, deps: IdentityDependencies) -> User:
    """Deactivated users cannot sign in, and every sign-in they hold ends at once."""
    authorize(actor, Action.USERS_ADMINISTER)
    now = deps.clock.now()
    async with deps.tenant_uow(actor.tenant_id) as uow:
        user = await _existing(uow, user_id, for_update=True)
        if user.status is UserStatus.INVITED:
            raise Conflict(
                "the user has not accepted the invitation yet", field="user_id", code="user_invited"
            )
        if active:
            user = replace(user, status=UserStatus.ACTIVE, failed_logins=0, locked_until=None)
        elif user.status is UserStatus.ACTIVE:
            await _keep_an_admin(uow, user, field="user_id")
            user = replace(user, status=UserStatus.DEACTIVATED)
            await uow.refresh_tokens.revoke_for_user(user.id, now)
        await uow.users.save(user)
        await uow.commit()
    return user


async def revoke_sign_ins(actor: Actor, user_id: UUID, deps: IdentityDependencies) -> int:
    """Sign a user out everywhere (their own choice, or an admin's); returns tokens revoked."""
    authorize(actor, Action.USERS_REVOKE_TOKENS, owner_id=user_id)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await _existing(uow, user_id)
        revoked = await uow.refresh_tokens.revoke_for_user(user_id, deps.clock.now())
        await uow.commit()
    return revoked


async def _existing(uow: TenantUnitOfWork, user_id: UUID, *, for_update: bool = False) -> User:
    user = await uow.users.get(user_id, for_update=for_update)
    if user is None:
        raise user_not_found()
    return user


async def _keep_an_admin(uow: TenantUnitOfWork, user: User, *, field: str) -> None:
    """The tenant must keep one admin who can sign in, or nobody could manage it."""
    admin = user.role is Role.ADMIN and user.status is UserStatus.ACTIVE
    if admin and await uow.users.count_active_admins() <= 1:
        raise Conflict("a tenant keeps at least one active admin", field=field, code="last_admin")


async def _one_time_link(
    uow: TenantUnitOfWork,
    user: User,
    purpose: TokenPurpose,
    now: datetime,
    deps: IdentityDependencies,
) -> str:
    ttl = (
        deps.rules.invitation_ttl
        if purpose is TokenPurpose.INVITATION
        else deps.rules.password_reset_ttl
    )
    plaintext, digest = new_secret()
    await uow.one_time_tokens.add(
        OneTimeToken(
            id=uuid.uuid4(),
            user_id=user.id,
            purpose=purpose,
            token_hash=digest,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return plaintext


async def _usable_token(
    uow: TenantUnitOfWork, token: str, purpose: TokenPurpose, now: datetime
) -> OneTimeToken:
    found = await uow.one_time_tokens.find_by_hash(hash_secret(token))
    if found is None or found.purpose is not purpose or not found.usable(now):
        raise _unusable()
    return found


async def _spend(uow: TenantUnitOfWork, token: OneTimeToken, now: datetime) -> None:
    if not await uow.one_time_tokens.mark_used(token.id, now):
        raise _unusable()


def _unusable() -> Unauthenticated:
    """The link's token is the request's credential: a bad one is refused like any other."""
    return Unauthenticated(
        "this link was used, has expired or does not exist", field="token", code="token_unusable"
    )
