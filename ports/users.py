"""Users of one tenant."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from core.identity.model import User


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """Raises core.errors.Conflict(field='email') if the address is taken."""
        ...

    async def get(self, user_id: UUID) -> User | None: ...

    async def find_by_email(self, email: str) -> User | None: ...
