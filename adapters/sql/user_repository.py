"""Users in a tenant database."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.keyset import paginate, to_page
from adapters.sql.tenant_tables import users
from core.errors import Conflict
from core.identity.model import Capability, Role, User, UserStatus
from ports.pagination import Page, PageRequest


class SqlUserRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, user: User) -> None:
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(users.insert().values(**_row(user)))
        except IntegrityError as exc:
            raise Conflict(
                "e-mail address already in use", field="email", code="email_taken"
            ) from exc

    async def save(self, user: User) -> None:
        row = _row(user)
        del row["id"], row["created_at"]
        await self._connection.execute(users.update().where(users.c.id == user.id).values(**row))

    async def get(self, user_id: UUID, *, for_update: bool = False) -> User | None:
        query = users.select().where(users.c.id == user_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._connection.execute(query)).first()
        return _user(row) if row else None

    async def find_by_email(self, email: str) -> User | None:
        query = users.select().where(users.c.email == email)
        row = (await self._connection.execute(query)).first()
        return _user(row) if row else None

    async def list(self, page: PageRequest, *, role: Role | None = None) -> Page[User]:
        query = users.select()
        if role is not None:
            query = query.where(users.c.role == role.value)
        rows = (await self._connection.execute(paginate(query, users, page))).all()
        return to_page(rows, page, _user)

    async def count_active_admins(self) -> int:
        query = (
            sa.select(sa.func.count())
            .select_from(users)
            .where(users.c.role == Role.ADMIN.value, users.c.status == UserStatus.ACTIVE.value)
        )
        return int((await self._connection.execute(query)).scalar_one())


def _row(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role.value,
        "password_hash": user.password_hash,
        "created_at": user.created_at,
        "capabilities": None
        if user.capabilities is None
        else sorted(c.value for c in user.capabilities),
        "status": user.status.value,
        "failed_logins": user.failed_logins,
        "locked_until": user.locked_until,
    }


def _user(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        role=Role(row.role),
        password_hash=row.password_hash,
        created_at=row.created_at,
        capabilities=None
        if row.capabilities is None
        else frozenset(Capability(c) for c in row.capabilities),
        status=UserStatus(row.status),
        failed_logins=row.failed_logins,
        locked_until=row.locked_until,
    )
