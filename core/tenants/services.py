"""Use cases on tenants: creating one, end to end, from catalog row to first admin."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.errors import InvalidInput
from core.identity.model import Role, User, normalize_email, validate_password, validate_person_name
from core.tenants.model import Tenant, TenantStatus, validate_display_name, validate_slug
from ports.clock import Clock
from ports.passwords import PasswordHasher
from ports.tenant_catalog import TenantCatalog
from ports.tenant_databases import TenantDatabases
from ports.unit_of_work import TenantUnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class CreateTenant:
    slug: str
    display_name: str
    admin_email: str
    admin_password: str
    admin_name: str


@dataclass(frozen=True, slots=True)
class TenantDependencies:
    catalog: TenantCatalog
    databases: TenantDatabases
    tenant_uow: TenantUnitOfWorkFactory
    hasher: PasswordHasher
    clock: Clock


async def create_tenant(request: CreateTenant, deps: TenantDependencies) -> tuple[Tenant, User]:
    """Create a tenant, its database and its first admin.

    Rules: every input is checked before anything is written, so bad input leaves no
    trace. The catalog row is written first as ``provisioning``; it becomes ``active``
    only once the database exists, is migrated and holds the admin. A crash in between
    leaves a ``provisioning`` tenant that ``provision_tenant`` finishes.
    """
    slug = validate_slug(request.slug)
    display_name = validate_display_name(request.display_name)
    email = normalize_email(request.admin_email, field="admin_email")
    password = validate_password(request.admin_password, field="admin_password")
    admin_name = validate_person_name(request.admin_name, field="admin_name")

    now = deps.clock.now()
    tenant = Tenant(
        id=uuid.uuid4(),
        slug=slug,
        display_name=display_name,
        status=TenantStatus.PROVISIONING,
        created_at=now,
        updated_at=now,
    )
    admin = User(
        id=uuid.uuid4(),
        email=email,
        display_name=admin_name,
        role=Role.ADMIN,
        password_hash=deps.hasher.hash(password),
        created_at=now,
    )
    await deps.catalog.add(tenant)
    return await provision_tenant(tenant, admin, deps), admin


async def provision_tenant(tenant: Tenant, admin: User, deps: TenantDependencies) -> Tenant:
    """Bring a ``provisioning`` tenant to ``active``; safe to call again after a failure."""
    if tenant.status is not TenantStatus.PROVISIONING:
        raise InvalidInput(f"tenant is {tenant.status.value}", field="status")
    await deps.databases.ensure(tenant.id)
    async with deps.tenant_uow(tenant.id) as uow:
        if await uow.users.find_by_email(admin.email) is None:
            await uow.users.add(admin)
            await uow.commit()
    active = tenant.activated(deps.clock.now())
    await deps.catalog.save(active)
    return active
