"""Use cases creating tenants: from catalog row to migrated database, directory and first admin."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import PurePath
from uuid import UUID

from core.errors import NotFound, Unavailable
from core.identity.model import Role, User, normalize_email, validate_password, validate_person_name
from core.tenants.model import (
    InvalidTransition,
    Placement,
    PlanLimits,
    Tenant,
    TenantEvent,
    TenantStatus,
    validate_database_url,
    validate_display_name,
    validate_slug,
)
from ports.clock import Clock
from ports.passwords import PasswordHasher
from ports.tenant_catalog import TenantCatalog
from ports.tenant_databases import ProvisioningError, TenantDatabases
from ports.tenant_storage import TenantStorage
from ports.unit_of_work import TenantUnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class CreateTenant:
    slug: str
    display_name: str
    admin_email: str
    admin_password: str
    admin_name: str
    limits: PlanLimits = field(default_factory=PlanLimits)
    database_url: str | None = None


@dataclass(frozen=True, slots=True)
class TenantDependencies:
    catalog: TenantCatalog
    databases: TenantDatabases
    storage: TenantStorage
    tenant_uow: TenantUnitOfWorkFactory
    hasher: PasswordHasher
    clock: Clock
    sqlite_folder: PurePath
    """Where dedicated SQLite databases go: the deployment's data directory."""


async def create_tenant(
    request: CreateTenant, deps: TenantDependencies, *, actor: str
) -> tuple[Tenant, User]:
    """Create a tenant, its database, its storage directory and its first admin.

    Rules: every input is checked before anything is written, so bad input leaves no
    trace. The catalog row is written first as ``provisioning`` with the admin to seed;
    it becomes ``active`` only once the database exists, is migrated and holds the
    admin, and the directory exists. With ``database_url`` the tenant is ``dedicated``:
    its database is created (if missing) and migrated at that URL instead of on the
    shared instance. A failure leaves it ``provisioning`` with the error
    recorded; ``provision_tenant`` finishes the job.
    """
    slug = validate_slug(request.slug)
    display_name = validate_display_name(request.display_name)
    email = normalize_email(request.admin_email, field="admin_email")
    password = validate_password(request.admin_password, field="admin_password", email=email)
    admin_name = validate_person_name(request.admin_name, field="admin_name")
    limits = request.limits.validated()
    database_url = (
        validate_database_url(request.database_url, sqlite_folder=deps.sqlite_folder)
        if request.database_url
        else None
    )

    now = deps.clock.now()
    tenant = Tenant(
        id=uuid.uuid4(),
        slug=slug,
        display_name=display_name,
        status=TenantStatus.PROVISIONING,
        created_at=now,
        updated_at=now,
        limits=limits,
        placement=Placement.DEDICATED if database_url else Placement.SHARED,
        database_url=database_url,
    )
    admin = User(
        id=uuid.uuid4(),
        email=email,
        display_name=admin_name,
        role=Role.ADMIN,
        password_hash=deps.hasher.hash(password),
        created_at=now,
    )
    await deps.catalog.add(tenant, pending_admin=admin)
    await record_event(deps, tenant, "created", actor)
    return await provision_tenant(tenant.id, deps, actor=actor), admin


async def provision_tenant(
    reference: UUID | str, deps: TenantDependencies, *, actor: str
) -> Tenant:
    """Bring a ``provisioning`` tenant to ``active``; safe to call again after any failure."""
    tenant = await existing_tenant(deps.catalog, reference)
    if tenant.status is not TenantStatus.PROVISIONING:
        raise InvalidTransition(
            f"tenant is {tenant.status.value}, not provisioning", field="status"
        )
    admin = await deps.catalog.pending_admin(tenant.id)
    try:
        await deps.databases.ensure(tenant.id)
        await deps.storage.ensure(tenant.id)
    except ProvisioningError as exc:
        failed = tenant.provisioning_failed(str(exc), deps.clock.now())
        await deps.catalog.save(failed)
        await record_event(deps, tenant, "provisioning_failed", actor, error=str(exc))
        raise Unavailable(
            f"provisioning of '{tenant.slug}' failed: {exc}. The tenant stays 'provisioning'; "
            "retry with POST /api/v1/tenants/{id}/provision or `passerelle tenants provision`",
            code="provisioning_failed",
        ) from exc
    if admin is not None:
        async with deps.tenant_uow(tenant.id) as uow:
            if await uow.users.find_by_email(admin.email) is None:
                await uow.users.add(admin)
                await uow.commit()
    active = tenant.activated(deps.clock.now())
    await deps.catalog.save(active)
    await record_event(deps, active, "provisioned", actor)
    return active


async def existing_tenant(catalog: TenantCatalog, reference: UUID | str) -> Tenant:
    """A tenant by id, or by slug when the reference is not an id."""
    tenant = None
    if isinstance(reference, UUID):
        tenant = await catalog.get(reference)
    else:
        try:
            tenant = await catalog.get(UUID(reference))
        except ValueError:
            tenant = await catalog.find_by_slug(reference)
    if tenant is None:
        raise NotFound("no such tenant", field="tenant", code="tenant_not_found")
    return tenant


async def record_event(
    deps: TenantDependencies, tenant: Tenant, action: str, actor: str, **detail: str
) -> None:
    await deps.catalog.record(
        TenantEvent(
            id=uuid.uuid4(),
            tenant_id=tenant.id,
            slug=tenant.slug,
            action=action,
            actor=actor,
            created_at=deps.clock.now(),
            detail=detail,
        )
    )
