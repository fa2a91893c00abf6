"""Signing in to a tenant."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from apps.api.auth.schemas import LoginBody, TokenOut
from apps.api.dependencies import container_of, provide_tenant
from core.identity.model import Actor
from core.identity.services import authenticate
from core.tenants.model import Tenant


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]
    dependencies = {"tenant": Provide(provide_tenant)}

    @post(
        "/login",
        status_code=200,
        summary="Sign in with e-mail and password",
        description="Answers 401 without saying whether the address or the password was wrong.",
    )
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginBody],
        tenant: NamedDependency[Tenant],
    ) -> TokenOut:
        container = container_of(request)
        user = await authenticate(
            tenant.id,
            data.email,
            data.password,
            tenant_uow=container.tenant_uow(),
            hasher=container.hasher(),
        )
        issued = container.access_tokens().issue(
            Actor(tenant_id=tenant.id, user_id=user.id, role=user.role)
        )
        return TokenOut(access_token=issued.token, expires_at=issued.expires_at)
