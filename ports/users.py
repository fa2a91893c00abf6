"""Users of one tenant."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from core.identity.model import Role, User
from ports.pagination import Page, PageRequest


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """Raises core.errors.Conflict(field='email') if the address is taken."""
        ...

    async def save(self, user: User) -> None:
        """Store every mutable field of an existing user (role, name, status, lockout...)."""
        ...

    async def get(self, user_id: UUID, *, for_update: bool = False) -> User | None:
        """``for_update`` locks the row until the transaction ends (PostgreSQL)."""
        ...

    async def find_by_email(self, email: str) -> User | None: ...

    async def list(self, page: PageRequest, *, role: Role | None = None) -> Page[User]: ...

    async def count_active_admins(self) -> int:
        """Admins who can still sign in: the last one may not be demoted or deactivated."""
        ...
