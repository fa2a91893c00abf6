"""Operators create and list tenants (authenticated with an operator key)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from apps.api.dependencies import container_of, provide_operator
from apps.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, encode_cursor, page_request
from apps.api.tenants.schemas import CreatedTenantOut, CreateTenantBody, TenantOut, TenantPage
from core.errors import NotFound
from core.tenants.services import CreateTenant, create_tenant
from ports.operator_keys import OperatorKey


class TenantController(Controller):
    path = "/tenants"
    tags = ["tenants"]
    security = [{"OperatorKey": []}]
    dependencies = {"operator": Provide(provide_operator)}

    @post(
        "/",
        summary="Create a tenant",
        description="Creates the catalog entry, the tenant's database and its first admin.",
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[CreateTenantBody],
        operator: NamedDependency[OperatorKey],
    ) -> CreatedTenantOut:
        deps = container_of(request).tenant_dependencies()
        tenant, admin = await create_tenant(
            CreateTenant(
                slug=data.slug,
                display_name=data.display_name,
                admin_email=data.admin_email,
                admin_password=data.admin_password,
                admin_name=data.admin_name,
            ),
            deps,
        )
        return CreatedTenantOut(tenant=TenantOut.of(tenant), admin_id=admin.id)

    @get("/", summary="List tenants")
    async def list_tenants(
        self,
        request: Request[Any, Any, Any],
        operator: NamedDependency[OperatorKey],
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> TenantPage:
        page = await container_of(request).catalog().list(page_request(cursor, limit))
        return TenantPage(
            items=[TenantOut.of(t) for t in page.items], next_cursor=encode_cursor(page.next)
        )

    @get("/{tenant_id:uuid}", summary="Get a tenant")
    async def get_tenant(
        self,
        request: Request[Any, Any, Any],
        tenant_id: FromPath[UUID],
        operator: NamedDependency[OperatorKey],
    ) -> TenantOut:
        tenant = await container_of(request).catalog().get(tenant_id)
        if tenant is None:
            raise NotFound("no such tenant", field="tenant_id", code="tenant_not_found")
        return TenantOut.of(tenant)
