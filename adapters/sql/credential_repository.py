"""One-time tokens, refresh tokens and API keys in a tenant database."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.keyset import paginate, to_page
from adapters.sql.tenant_tables import api_keys, one_time_tokens, refresh_tokens
from core.identity.credentials import ApiKey, ApiScope, OneTimeToken, RefreshToken, TokenPurpose
from ports.pagination import Page, PageRequest


class SqlOneTimeTokenRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, token: OneTimeToken) -> None:
        await self._connection.execute(
            one_time_tokens.insert().values(
                id=token.id,
                user_id=token.user_id,
                purpose=token.purpose.value,
                token_hash=token.token_hash,
                created_at=token.created_at,
                expires_at=token.expires_at,
                used_at=token.used_at,
            )
        )

    async def find_by_hash(self, token_hash: str) -> OneTimeToken | None:
        query = one_time_tokens.select().where(one_time_tokens.c.token_hash == token_hash)
        row = (await self._connection.execute(query)).first()
        if row is None:
            return None
        return OneTimeToken(
            id=row.id,
            user_id=row.user_id,
            purpose=TokenPurpose(row.purpose),
            token_hash=row.token_hash,
            created_at=row.created_at,
            expires_at=row.expires_at,
            used_at=row.used_at,
        )

    async def mark_used(self, token_id: UUID, at: datetime) -> bool:
        result = await self._connection.execute(
            one_time_tokens.update()
            .where(one_time_tokens.c.id == token_id, one_time_tokens.c.used_at.is_(None))
            .values(used_at=at)
        )
        return result.rowcount == 1


class SqlRefreshTokenRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, token: RefreshToken) -> None:
        await self._connection.execute(
            refresh_tokens.insert().values(
                id=token.id,
                user_id=token.user_id,
                family_id=token.family_id,
                token_hash=token.token_hash,
                created_at=token.created_at,
                expires_at=token.expires_at,
                rotated_at=token.rotated_at,
                revoked_at=token.revoked_at,
            )
        )

    async def find_by_hash(self, token_hash: str) -> RefreshToken | None:
        query = refresh_tokens.select().where(refresh_tokens.c.token_hash == token_hash)
        row = (await self._connection.execute(query)).first()
        if row is None:
            return None
        return RefreshToken(
            id=row.id,
            user_id=row.user_id,
            family_id=row.family_id,
            token_hash=row.token_hash,
            created_at=row.created_at,
            expires_at=row.expires_at,
            rotated_at=row.rotated_at,
            revoked_at=row.revoked_at,
        )

    async def mark_rotated(self, token_id: UUID, at: datetime) -> bool:
        result = await self._connection.execute(
            refresh_tokens.update()
            .where(refresh_tokens.c.id == token_id, refresh_tokens.c.rotated_at.is_(None))
            .values(rotated_at=at)
        )
        return result.rowcount == 1

    async def revoke_family(self, family_id: UUID, at: datetime) -> None:
        await self._connection.execute(
            refresh_tokens.update()
            .where(refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    async def revoke_for_user(self, user_id: UUID, at: datetime) -> int:
        result = await self._connection.execute(
            refresh_tokens.update()
            .where(
                refresh_tokens.c.user_id == user_id,
                refresh_tokens.c.revoked_at.is_(None),
                refresh_tokens.c.rotated_at.is_(None),
                refresh_tokens.c.expires_at > at,
            )
            .values(revoked_at=at)
        )
        return int(result.rowcount)


class SqlApiKeyRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, key: ApiKey) -> None:
        await self._connection.execute(api_keys.insert().values(**_key_row(key)))

    async def get(self, key_id: UUID) -> ApiKey | None:
        row = (
            await self._connection.execute(api_keys.select().where(api_keys.c.id == key_id))
        ).first()
        return _key(row) if row else None

    async def find_by_hash(self, key_hash: str) -> ApiKey | None:
        query = api_keys.select().where(api_keys.c.key_hash == key_hash)
        row = (await self._connection.execute(query)).first()
        return _key(row) if row else None

    async def save(self, key: ApiKey) -> None:
        await self._connection.execute(
            api_keys.update().where(api_keys.c.id == key.id).values(**_key_row(key))
        )

    async def list(self, page: PageRequest) -> Page[ApiKey]:
        rows = (await self._connection.execute(paginate(api_keys.select(), api_keys, page))).all()
        return to_page(rows, page, _key)


def _key_row(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "key_hash": key.key_hash,
        "scopes": sorted(s.value for s in key.scopes),
        "created_by": key.created_by,
        "created_at": key.created_at,
        "expires_at": key.expires_at,
        "revoked_at": key.revoked_at,
        "last_used_at": key.last_used_at,
    }


def _key(row: Any) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        key_hash=row.key_hash,
        scopes=frozenset(ApiScope(s) for s in row.scopes),
        created_by=row.created_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )
