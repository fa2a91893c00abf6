"""API keys: how an integration calls the API without a person signing in.

The plaintext (``pxk_`` + 256 random bits) is shown once when the key is created; only its
digest is kept. A key acts within its scopes, until it expires or an admin revokes it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from core.errors import InvalidInput, NotFound, Unauthenticated
from core.identity.credentials import API_KEY_PREFIX, ApiKey, ApiScope, hash_secret, new_secret
from core.identity.dependencies import IdentityDependencies
from core.identity.model import Actor
from core.identity.permissions import Action, authorize
from ports.pagination import Page, PageRequest

SHOWN_PREFIX = len(API_KEY_PREFIX) + 6


@dataclass(frozen=True, slots=True)
class NewApiKey:
    name: str
    scopes: frozenset[ApiScope]
    expires_at: datetime | None = None
    expires_in: timedelta | None = None
    """Instead of ``expires_at``: how long after its creation the key stops working."""


@dataclass(frozen=True, slots=True)
class CreatedApiKey:
    key: ApiKey
    plaintext: str


async def create_api_key(
    actor: Actor, request: NewApiKey, deps: IdentityDependencies
) -> CreatedApiKey:
    authorize(actor, Action.API_KEYS_MANAGE)
    name = request.name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput("key name must be 1-100 characters", field="name")
    if not request.scopes:
        raise InvalidInput("a key needs at least one scope", field="scopes", code="no_scopes")
    now = deps.clock.now()
    expires_at = request.expires_at
    if request.expires_in is not None:
        expires_at = now + request.expires_in
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("expiry must be in the future", field="expires_at", code="in_the_past")
    plaintext, digest = new_secret(API_KEY_PREFIX)
    key = ApiKey(
        id=uuid.uuid4(),
        name=name,
        prefix=plaintext[:SHOWN_PREFIX],
        key_hash=digest,
        scopes=request.scopes,
        created_by=actor.user_id,
        created_at=now,
        expires_at=expires_at,
    )
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await uow.api_keys.add(key)
        await uow.commit()
    return CreatedApiKey(key, plaintext)


async def list_api_keys(
    actor: Actor, page: PageRequest, deps: IdentityDependencies
) -> Page[ApiKey]:
    authorize(actor, Action.API_KEYS_MANAGE)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await uow.api_keys.list(page)


async def revoke_api_key(actor: Actor, key_id: UUID, deps: IdentityDependencies) -> ApiKey:
    """The key stops working at once; revoking twice changes nothing."""
    authorize(actor, Action.API_KEYS_MANAGE)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        key = await uow.api_keys.get(key_id)
        if key is None:
            raise NotFound("no such API key", field="key_id", code="api_key_not_found")
        if key.revoked_at is None:
            key = replace(key, revoked_at=deps.clock.now())
            await uow.api_keys.save(key)
            await uow.commit()
    return key


async def authenticate_api_key(
    tenant_id: UUID, plaintext: str, deps: IdentityDependencies
) -> Actor:
    """The actor a live key of this tenant stands for; any other key is the same 401."""
    now = deps.clock.now()
    async with deps.tenant_uow(tenant_id) as uow:
        key = await uow.api_keys.find_by_hash(hash_secret(plaintext))
        if key is None or not key.usable(now):
            raise Unauthenticated("invalid, revoked or expired API key", code="invalid_api_key")
        await uow.api_keys.save(replace(key, last_used_at=now))
        await uow.commit()
    return Actor.for_api_key(
        tenant_id,
        key_id=key.id,
        creator_id=key.created_by,
        scopes=frozenset(s.value for s in key.scopes),
    )
