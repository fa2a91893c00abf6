"""Operators manage the tenant catalog (authenticated with an operator key, never a user token)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody

from apps.api.dependencies import container_of, provide_operator
from apps.api.middleware.routes import idempotent
from apps.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, encode_cursor, page_request
from apps.api.tenants.schemas import (
    CreatedTenantOut,
    CreateTenantBody,
    TenantEventOut,
    TenantEventPage,
    TenantOut,
    TenantPage,
    UpdateTenantBody,
)
from core.tenants import lifecycle, origins
from core.tenants.model import PlanLimits, TenantStatus
from core.tenants.services import (
    CreateTenant,
    create_tenant,
    existing_tenant,
    provision_tenant,
)
from ports.operator_keys import OperatorKey

Operator = NamedDependency[OperatorKey]
TenantId = FromPath[UUID]


def _actor(operator: OperatorKey) -> str:
    return f"operator:{operator.name}"


class TenantController(Controller):
    path = "/tenants"
    tags = ["tenants"]
    security = [{"OperatorKey": []}]
    dependencies = {"operator": Provide(provide_operator)}

    @post(
        "/",
        **idempotent(),
        summary="Create a tenant",
        description=(
            "Creates the catalog entry, the tenant's database, its storage directory and its "
            "first admin. If provisioning fails the answer is 503 `provisioning_failed`, the "
            "tenant stays `provisioning` with the error recorded, and "
            "`POST /tenants/{id}/provision` finishes it."
        ),
    )
    async def create(
        self, request: Request[Any, Any, Any], data: JSONBody[CreateTenantBody], operator: Operator
    ) -> CreatedTenantOut:
        limits = replace(PlanLimits(), **data.limits.changes()) if data.limits else PlanLimits()
        tenant, admin = await create_tenant(
            CreateTenant(
                slug=data.slug,
                display_name=data.display_name,
                admin_email=data.admin_email,
                admin_password=data.admin_password,
                admin_name=data.admin_name,
                limits=limits,
                database_url=data.database_url,
            ),
            container_of(request).tenant_dependencies(),
            actor=_actor(operator),
        )
        return CreatedTenantOut(tenant=TenantOut.of(tenant), admin_id=admin.id)

    @get("/", summary="List tenants, oldest first, optionally by status")
    async def list_tenants(
        self,
        request: Request[Any, Any, Any],
        operator: Operator,
        status: FromQuery[TenantStatus | None] = None,
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> TenantPage:
        catalog = container_of(request).catalog()
        page = await catalog.browse(page_request(cursor, limit), status=status)
        return TenantPage(
            items=[TenantOut.of(t) for t in page.items], next_cursor=encode_cursor(page.next)
        )

    @get("/{tenant_id:uuid}", summary="Get a tenant")
    async def get_tenant(
        self, request: Request[Any, Any, Any], tenant_id: TenantId, operator: Operator
    ) -> TenantOut:
        return TenantOut.of(await existing_tenant(container_of(request).catalog(), tenant_id))

    @patch(
        "/{tenant_id:uuid}",
        summary="Rename a tenant, change its plan limits or its allowed browser origins",
    )
    async def update(
        self,
        request: Request[Any, Any, Any],
        tenant_id: TenantId,
        data: JSONBody[UpdateTenantBody],
        operator: Operator,
    ) -> TenantOut:
        tenant = await origins.update_tenant(
            tenant_id,
            container_of(request).tenant_dependencies(),
            actor=_actor(operator),
            display_name=data.display_name,
            limits=data.limits.changes() if data.limits else None,
            allowed_origins=data.allowed_origins,
        )
        return TenantOut.of(tenant)

    @post(
        "/{tenant_id:uuid}/suspend",
        status_code=200,
        summary="Suspend a tenant",
        description="Its endpoints answer 403 `tenant_suspended`; its data is untouched.",
    )
    async def suspend(
        self, request: Request[Any, Any, Any], tenant_id: TenantId, operator: Operator
    ) -> TenantOut:
        deps = container_of(request).tenant_dependencies()
        return TenantOut.of(await lifecycle.suspend_tenant(tenant_id, deps, actor=_actor(operator)))

    @post("/{tenant_id:uuid}/resume", status_code=200, summary="Resume a suspended tenant")
    async def resume(
        self, request: Request[Any, Any, Any], tenant_id: TenantId, operator: Operator
    ) -> TenantOut:
        deps = container_of(request).tenant_dependencies()
        return TenantOut.of(await lifecycle.resume_tenant(tenant_id, deps, actor=_actor(operator)))

    @post(
        "/{tenant_id:uuid}/provision",
        status_code=200,
        summary="Finish provisioning a tenant after a failure",
        description=(
            "Safe to repeat. If a step fails again (its database server does not answer, "
            "or refuses the URL recorded for it), the answer is 503 `provisioning_failed` "
            "and the tenant stays `provisioning` with the error recorded."
        ),
    )
    async def provision(
        self, request: Request[Any, Any, Any], tenant_id: TenantId, operator: Operator
    ) -> TenantOut:
        deps = container_of(request).tenant_dependencies()
        return TenantOut.of(await provision_tenant(tenant_id, deps, actor=_actor(operator)))

    @delete(
        "/{tenant_id:uuid}",
        status_code=202,
        summary="Delete a tenant (soft, then purged after the grace period)",
        description="Requests stop at once; the database and files are purged after "
        "`tenancy.deletion_grace_days`. Repeating the call changes nothing.",
    )
    async def remove(
        self, request: Request[Any, Any, Any], tenant_id: TenantId, operator: Operator
    ) -> TenantOut:
        container = container_of(request)
        grace = timedelta(days=container.settings().tenancy.deletion_grace_days)
        tenant = await lifecycle.delete_tenant(
            tenant_id, container.tenant_dependencies(), actor=_actor(operator), grace=grace
        )
        return TenantOut.of(tenant)

    @get("/{tenant_id:uuid}/events", summary="A tenant's audit trail, oldest first")
    async def events(
        self,
        request: Request[Any, Any, Any],
        tenant_id: TenantId,
        operator: Operator,
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> TenantEventPage:
        catalog = container_of(request).catalog()
        tenant = await existing_tenant(catalog, tenant_id)
        page = await catalog.events(tenant.id, page_request(cursor, limit))
        return TenantEventPage(
            items=[TenantEventOut.of(e) for e in page.items], next_cursor=encode_cursor(page.next)
        )
