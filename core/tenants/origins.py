"""Use cases on a tenant's allowed browser origins (CORS), alone or with other changes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

from core.tenants import lifecycle
from core.tenants.model import Tenant, validate_origins
from core.tenants.services import TenantDependencies, existing_tenant, record_event


async def set_allowed_origins(
    reference: UUID | str, origins: Sequence[str], deps: TenantDependencies, *, actor: str
) -> Tenant:
    """Replace the browser origins allowed to call the tenant's API.

    Rules: every origin is checked (``validate_origins``) before anything is saved; the
    list replaces the previous one; an unchanged list writes nothing and records no event.
    """
    tenant = await existing_tenant(deps.catalog, reference)
    changed = tenant.with_allowed_origins(origins, deps.clock.now())
    if changed.allowed_origins == tenant.allowed_origins:
        return tenant
    await deps.catalog.save(changed)
    await record_event(
        deps, changed, "origins_changed", actor, allowed_origins=" ".join(changed.allowed_origins)
    )
    return changed


async def update_tenant(
    reference: UUID | str,
    deps: TenantDependencies,
    *,
    actor: str,
    display_name: str | None = None,
    limits: Mapping[str, int] | None = None,
    allowed_origins: Sequence[str] | None = None,
) -> Tenant:
    """The operator's PATCH (API and CLI): what is given changes, the rest keeps its value.

    The origins are checked before the name and limits are saved, so a refused origin
    leaves the tenant as it was.
    """
    if allowed_origins is not None:
        validate_origins(allowed_origins)
    tenant = await lifecycle.update_tenant(
        reference, deps, actor=actor, display_name=display_name, limits=limits
    )
    if allowed_origins is None:
        return tenant
    return await set_allowed_origins(tenant.id, allowed_origins, deps, actor=actor)
