"""Users in a tenant database."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tenant_tables import users
from core.errors import Conflict
from core.identity.model import Role, User


class SqlUserRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, user: User) -> None:
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(
                    users.insert().values(
                        id=user.id,
                        email=user.email,
                        display_name=user.display_name,
                        role=user.role.value,
                        password_hash=user.password_hash,
                        created_at=user.created_at,
                    )
                )
        except IntegrityError as exc:
            raise Conflict(
                "e-mail address already in use", field="email", code="email_taken"
            ) from exc

    async def get(self, user_id: UUID) -> User | None:
        row = (await self._connection.execute(users.select().where(users.c.id == user_id))).first()
        return _user(row) if row else None

    async def find_by_email(self, email: str) -> User | None:
        query = users.select().where(users.c.email == email)
        row = (await self._connection.execute(query)).first()
        return _user(row) if row else None


def _user(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        role=Role(row.role),
        password_hash=row.password_hash,
        created_at=row.created_at,
    )
