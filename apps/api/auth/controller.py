"""Signing in to a tenant, refreshing and ending a sign-in, setting a password by link."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from apps.api.auth.schemas import (
    LoginBody,
    PasswordResetBody,
    RefreshBody,
    SetPasswordBody,
    TokenOut,
)
from apps.api.dependencies import container_of, provide_tenant
from apps.api.errors import problem
from apps.api.middleware.routes import AUTH_LIMITS, RATE_LIMIT
from core.audit.context import note_actor
from core.identity import accounts
from core.identity.model import Actor
from core.identity.signin import AccountLocked, SignedIn, refresh, sign_in, sign_out
from core.tenants.model import Tenant

_LIMITED = {RATE_LIMIT: AUTH_LIMITS}


def account_locked_handler(
    request: Request[Any, Any, Any], exc: AccountLocked
) -> Response[dict[str, Any]]:
    """A locked account answers 429 with Retry-After, so clients know when to try again."""
    headers = {"Retry-After": str(exc.retry_after_seconds)}
    return problem(request, 429, exc.code, exc.detail, headers=headers)


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]
    dependencies = {"tenant": Provide(provide_tenant)}
    exception_handlers = {AccountLocked: account_locked_handler}

    @post(
        "/login",
        status_code=200,
        opt=_LIMITED,
        summary="Sign in with e-mail and password",
        description=(
            "Answers 401 `unauthenticated` without saying whether the address or the "
            "password was wrong; after repeated failures, 429 `account_locked` with Retry-After."
        ),
    )
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginBody],
        tenant: NamedDependency[Tenant],
    ) -> TokenOut:
        deps = container_of(request).identity_dependencies()
        signed_in = await sign_in(tenant.id, data.email, data.password, deps)
        note_actor(Actor.for_user(tenant.id, signed_in.user))
        return _tokens(request, tenant, signed_in)

    @post(
        "/refresh",
        status_code=200,
        opt=_LIMITED,
        summary="Exchange a refresh token for new tokens",
        description=(
            "The refresh token presented stops working. Presenting one that was already "
            "exchanged ends the whole sign-in (401 `refresh_token_reused`)."
        ),
    )
    async def refresh_tokens(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RefreshBody],
        tenant: NamedDependency[Tenant],
    ) -> TokenOut:
        deps = container_of(request).identity_dependencies()
        return _tokens(request, tenant, await refresh(tenant.id, data.refresh_token, deps))

    @post("/logout", status_code=204, summary="End the sign-in a refresh token belongs to")
    async def logout(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RefreshBody],
        tenant: NamedDependency[Tenant],
    ) -> None:
        await sign_out(tenant.id, data.refresh_token, container_of(request).identity_dependencies())

    @post(
        "/invitations/accept",
        status_code=204,
        opt=_LIMITED,
        summary="Accept an account invitation by choosing a password",
    )
    async def accept_invitation(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SetPasswordBody],
        tenant: NamedDependency[Tenant],
    ) -> None:
        deps = container_of(request).identity_dependencies()
        await accounts.accept_invitation(tenant.id, data.token, data.password, deps)

    @post(
        "/password-reset",
        status_code=202,
        opt=_LIMITED,
        summary="Ask for a password-reset link",
        description="Always 202: the answer never says whether the address has an account.",
    )
    async def request_password_reset(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PasswordResetBody],
        tenant: NamedDependency[Tenant],
    ) -> None:
        deps = container_of(request).identity_dependencies()
        await accounts.request_password_reset(tenant.id, data.email, deps)

    @post(
        "/password-reset/confirm",
        status_code=204,
        opt=_LIMITED,
        summary="Set a new password with a reset link; every sign-in of the user ends",
    )
    async def confirm_password_reset(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SetPasswordBody],
        tenant: NamedDependency[Tenant],
    ) -> None:
        deps = container_of(request).identity_dependencies()
        await accounts.confirm_password_reset(tenant.id, data.token, data.password, deps)


def _tokens(request: Request[Any, Any, Any], tenant: Tenant, signed_in: SignedIn) -> TokenOut:
    issued = container_of(request).access_tokens().issue(Actor.for_user(tenant.id, signed_in.user))
    return TokenOut(
        access_token=issued.token,
        expires_at=issued.expires_at,
        refresh_token=signed_in.refresh_token,
        refresh_expires_at=signed_in.refresh_expires_at,
    )
