"""The tenant entity and the rules on its slug, name and life cycle."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from core.errors import Forbidden, InvalidInput

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
RESERVED_SLUGS = frozenset({"api", "www", "admin", "app", "mail", "static", "status", "operator"})
MAX_DISPLAY_NAME = 200


class TenantStatus(StrEnum):
    PROVISIONING = "provisioning"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETING = "deleting"
    DELETED = "deleted"


class TenantSuspended(Forbidden):
    code = "tenant_suspended"


@dataclass(frozen=True, slots=True)
class Tenant:
    id: UUID
    slug: str
    display_name: str
    status: TenantStatus
    created_at: datetime
    updated_at: datetime

    def activated(self, now: datetime) -> Tenant:
        """Provisioning finished: the tenant may serve requests."""
        return replace(self, status=TenantStatus.ACTIVE, updated_at=now)

    def ensure_serving(self) -> None:
        """Refuse requests for a tenant that is not active, without saying more than needed."""
        if self.status is TenantStatus.SUSPENDED:
            raise TenantSuspended(f"tenant '{self.slug}' is suspended")
        if self.status is not TenantStatus.ACTIVE:
            raise Forbidden(f"tenant '{self.slug}' is {self.status.value}", code="tenant_inactive")


def validate_slug(slug: str) -> str:
    """A slug becomes a DNS label (`<slug>.<base domain>`), so it follows RFC 1123 label rules."""
    if not _SLUG.fullmatch(slug):
        raise InvalidInput(
            "slug must be 1-63 lowercase letters, digits or hyphens, "
            "starting and ending with a letter or digit",
            field="slug",
            code="invalid_slug",
        )
    if slug in RESERVED_SLUGS:
        raise InvalidInput(f"slug '{slug}' is reserved", field="slug", code="reserved_slug")
    return slug


def validate_display_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_DISPLAY_NAME:
        raise InvalidInput(
            f"display name must be 1-{MAX_DISPLAY_NAME} characters",
            field="display_name",
        )
    return cleaned
