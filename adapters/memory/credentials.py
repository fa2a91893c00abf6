"""One-time tokens, refresh tokens and API keys in dictionaries, for unit tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from core.identity.credentials import ApiKey, OneTimeToken, RefreshToken
from ports.pagination import Page, PageRequest, Position

Paginate = Callable[[list[ApiKey], PageRequest, Callable[[ApiKey], Position]], Page[ApiKey]]


class MemoryOneTimeTokens:
    def __init__(self, tokens: dict[UUID, OneTimeToken]) -> None:
        self._tokens = tokens

    async def add(self, token: OneTimeToken) -> None:
        self._tokens[token.id] = token

    async def find_by_hash(self, token_hash: str) -> OneTimeToken | None:
        return next((t for t in self._tokens.values() if t.token_hash == token_hash), None)

    async def mark_used(self, token_id: UUID, at: datetime) -> bool:
        token = self._tokens[token_id]
        if token.used_at is not None:
            return False
        self._tokens[token_id] = replace(token, used_at=at)
        return True


class MemoryRefreshTokens:
    def __init__(self, tokens: dict[UUID, RefreshToken]) -> None:
        self._tokens = tokens

    async def add(self, token: RefreshToken) -> None:
        self._tokens[token.id] = token

    async def find_by_hash(self, token_hash: str) -> RefreshToken | None:
        return next((t for t in self._tokens.values() if t.token_hash == token_hash), None)

    async def mark_rotated(self, token_id: UUID, at: datetime) -> bool:
        token = self._tokens[token_id]
        if token.rotated_at is not None:
            return False
        self._tokens[token_id] = replace(token, rotated_at=at)
        return True

    async def revoke_family(self, family_id: UUID, at: datetime) -> None:
        for token in list(self._tokens.values()):
            if token.family_id == family_id and token.revoked_at is None:
                self._tokens[token.id] = replace(token, revoked_at=at)

    async def revoke_for_user(self, user_id: UUID, at: datetime) -> int:
        live = [t for t in self._tokens.values() if t.user_id == user_id and t.usable(at)]
        for token in live:
            self._tokens[token.id] = replace(token, revoked_at=at)
        return len(live)


class MemoryApiKeys:
    """``paginate`` is the in-memory store's keyset pager, which imports this module."""

    def __init__(self, keys: dict[UUID, ApiKey], paginate: Paginate) -> None:
        self._keys = keys
        self._paginate = paginate

    async def add(self, key: ApiKey) -> None:
        self._keys[key.id] = key

    async def get(self, key_id: UUID) -> ApiKey | None:
        return self._keys.get(key_id)

    async def find_by_hash(self, key_hash: str) -> ApiKey | None:
        return next((k for k in self._keys.values() if k.key_hash == key_hash), None)

    async def save(self, key: ApiKey) -> None:
        self._keys[key.id] = key

    async def list(self, page: PageRequest) -> Page[ApiKey]:
        return self._paginate(
            list(self._keys.values()), page, lambda k: Position(created_at=k.created_at, id=k.id)
        )
