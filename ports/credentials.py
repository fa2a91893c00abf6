"""Stored credentials of a tenant: one-time tokens, refresh tokens and API keys, by digest."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from core.identity.credentials import ApiKey, OneTimeToken, RefreshToken
from ports.pagination import Page, PageRequest


class OneTimeTokenRepository(Protocol):
    async def add(self, token: OneTimeToken) -> None: ...

    async def find_by_hash(self, token_hash: str) -> OneTimeToken | None: ...

    async def mark_used(self, token_id: UUID, at: datetime) -> bool:
        """True when this call used the token; False when it was already used (a race lost)."""
        ...


class RefreshTokenRepository(Protocol):
    async def add(self, token: RefreshToken) -> None: ...

    async def find_by_hash(self, token_hash: str) -> RefreshToken | None: ...

    async def mark_rotated(self, token_id: UUID, at: datetime) -> bool:
        """True when this call rotated the token; False when another request did first."""
        ...

    async def revoke_family(self, family_id: UUID, at: datetime) -> None: ...

    async def revoke_for_user(self, user_id: UUID, at: datetime) -> int:
        """Revoke every live token of the user; returns how many were live."""
        ...


class ApiKeyRepository(Protocol):
    async def add(self, key: ApiKey) -> None: ...

    async def get(self, key_id: UUID) -> ApiKey | None: ...

    async def find_by_hash(self, key_hash: str) -> ApiKey | None: ...

    async def save(self, key: ApiKey) -> None: ...

    async def list(self, page: PageRequest) -> Page[ApiKey]: ...
