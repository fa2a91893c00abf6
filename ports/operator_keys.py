"""API keys of platform operators (they create and manage tenants), kept in the control database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True, slots=True)
class OperatorKey:
    id: UUID
    name: str
    key_hash: str
    created_at: datetime


class OperatorKeys(Protocol):
    async def add(self, key: OperatorKey) -> None: ...

    async def find_by_hash(self, key_hash: str) -> OperatorKey | None: ...

    async def count(self) -> int: ...
