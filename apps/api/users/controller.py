"""Users of a tenant: list, read, invite, change, deactivate; sign a user out everywhere."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.api.middleware.routes import idempotent
from apps.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, encode_cursor, page_request
from apps.api.users.schemas import (
    InvitedUserOut,
    InviteUserBody,
    SignOutOut,
    UpdateUserBody,
    UserOut,
    UserPage,
)
from core.identity import accounts
from core.identity.model import Actor, Role

RoleParam = Annotated[
    Role | None, QueryParameter(description="Only users of this role.", required=False)
]


class UserController(Controller):
    path = "/users"
    tags = ["users"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @get("/", summary="List the tenant's users, oldest first")
    async def list_users(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        role: RoleParam = None,
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> UserPage:
        deps = container_of(request).identity_dependencies()
        page = await accounts.list_users(actor, page_request(cursor, limit), deps, role=role)
        return UserPage(
            items=[UserOut.of(u) for u in page.items], next_cursor=encode_cursor(page.next)
        )

    @get("/{user_id:uuid}", summary="Get a user")
    async def get_user(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> UserOut:
        deps = container_of(request).identity_dependencies()
        return UserOut.of(await accounts.get_user(actor, user_id, deps))

    @post(
        "/invitations",
        **idempotent(),
        summary="Invite someone to the tenant",
        description="Creates the account without a password and e-mails a single-use set-up link.",
    )
    async def invite(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[InviteUserBody],
        actor: NamedDependency[Actor],
    ) -> InvitedUserOut:
        deps = container_of(request).identity_dependencies()
        invitation = accounts.InviteUser(
            email=data.email,
            display_name=data.display_name,
            role=data.role,
            locale=data.locale,
            flags=data.chosen(),
        )
        user, message = await accounts.invite_user(actor, invitation, deps)
        return InvitedUserOut(user=UserOut.of(user), notification_id=message.id)

    @patch(
        "/{user_id:uuid}",
        summary="Change a user's name, role or capabilities",
        description="The last active admin cannot be demoted (409 `last_admin`).",
    )
    async def update(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[UUID],
        data: JSONBody[UpdateUserBody],
        actor: NamedDependency[Actor],
    ) -> UserOut:
        deps = container_of(request).identity_dependencies()
        changes = accounts.UserChanges(
            display_name=data.display_name, role=data.role, flags=data.chosen()
        )
        return UserOut.of(await accounts.update_user(actor, user_id, changes, deps))

    @post(
        "/{user_id:uuid}/deactivate",
        status_code=200,
        summary="Deactivate a user: no sign-in, every refresh token revoked",
    )
    async def deactivate(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> UserOut:
        deps = container_of(request).identity_dependencies()
        return UserOut.of(await accounts.set_active(actor, user_id, False, deps))

    @post("/{user_id:uuid}/reactivate", status_code=200, summary="Let a deactivated user back in")
    async def reactivate(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> UserOut:
        deps = container_of(request).identity_dependencies()
        return UserOut.of(await accounts.set_active(actor, user_id, True, deps))

    @post(
        "/{user_id:uuid}/sign-out",
        status_code=200,
        summary="Revoke every refresh token of a user (oneself, or anyone for an admin)",
    )
    async def sign_out_everywhere(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> SignOutOut:
        deps = container_of(request).identity_dependencies()
        revoked = await accounts.revoke_sign_ins(actor, user_id, deps)
        return SignOutOut(revoked_refresh_tokens=revoked)
