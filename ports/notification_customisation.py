"""A tenant's own wording of its notifications and the sender they come from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from core.notifications.customisation import SenderIdentity, TemplateKey, TemplateOverride
from ports.pagination import Page, PageRequest


class CustomisationRepository(Protocol):
    async def sender(self) -> SenderIdentity:
        """The tenant's sender; every part unset until an admin sets it."""
        ...

    async def save_sender(self, sender: SenderIdentity) -> None: ...

    async def override(self, key: TemplateKey) -> TemplateOverride | None: ...

    async def overrides_for(
        self, keys: Iterable[TemplateKey]
    ) -> dict[TemplateKey, TemplateOverride]:
        """The overrides among ``keys``, in one query (a delivery batch mixes kinds)."""
        ...

    async def save_override(self, override: TemplateOverride) -> None:
        """Insert, or replace the wording of the override with the same key."""
        ...

    async def delete_override(self, key: TemplateKey) -> bool:
        """True if there was one to delete."""
        ...

    async def list_overrides(self, page: PageRequest) -> Page[TemplateOverride]: ...
