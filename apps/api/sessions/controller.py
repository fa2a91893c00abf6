"""Create, list, read and join assistance sessions; invite guests."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.api.middleware.routes import idempotent
from apps.api.notifications.schemas import NotificationOut, NotificationPage
from apps.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, encode_cursor, page_request
from apps.api.sessions.schemas import (
    CreateSessionBody,
    DescribeSessionBody,
    InvitationOut,
    InvitationPage,
    InviteGuestBody,
    IssuedInvitationOut,
    JoinOut,
    SessionOut,
    SessionPage,
)
from core.identity.model import Actor
from core.sessions import calls, guests, services
from core.tenants.model import Tenant


class SessionController(Controller):
    path = "/sessions"
    tags = ["sessions"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @post(
        "/",
        **idempotent(),
        summary="Create an assistance session",
        description="Admins and experts host.",
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[CreateSessionBody],
        actor: NamedDependency[Actor],
        tenant: NamedDependency[Tenant],
    ) -> SessionOut:
        deps = container_of(request).session_dependencies()
        created = await services.create_session(actor, data.reference, tenant.limits, deps)
        return SessionOut.of(created)

    @get("/", summary="List assistance sessions, oldest first")
    async def list_sessions(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> SessionPage:
        deps = container_of(request).session_dependencies()
        page = await services.list_sessions(actor, page_request(cursor, limit), deps)
        return SessionPage(
            items=[SessionOut.of(s) for s in page.items], next_cursor=encode_cursor(page.next)
        )

    @get("/{session_id:uuid}", summary="Get an assistance session")
    async def get_session(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> SessionOut:
        deps = container_of(request).session_dependencies()
        return SessionOut.of(await services.get_session(actor, session_id, deps))

    @patch(
        "/{session_id:uuid}",
        summary="Describe a session: reference, tags, notes, outcome",
        description="Host or admin; fields left out keep their value.",
    )
    async def describe(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        data: JSONBody[DescribeSessionBody],
        actor: NamedDependency[Actor],
    ) -> SessionOut:
        deps = container_of(request).session_dependencies()
        changes = services.DetailChanges(
            reference=data.reference, tags=data.tags, notes=data.notes, outcome=data.outcome
        )
        return SessionOut.of(await services.describe_session(actor, session_id, changes, deps))

    @post(
        "/{session_id:uuid}/end",
        status_code=200,
        summary="End a session",
        description="Host or admin; everyone still in it leaves now.",
    )
    async def end(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> SessionOut:
        deps = container_of(request).session_dependencies()
        return SessionOut.of(await calls.end_session(actor, session_id, deps))

    @post(
        "/{session_id:uuid}/participants/{participant_id:uuid}/leave",
        status_code=204,
        summary="Leave a session",
        description="A participant leaves; the host may remove anyone. Leaving twice is harmless.",
    )
    async def leave(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        participant_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> None:
        deps = container_of(request).session_dependencies()
        await calls.leave_session(actor, session_id, participant_id, deps)

    @post(
        "/{session_id:uuid}/join",
        status_code=200,
        summary="Join the session's video room",
        description="Returns a video token for the caller; the room is created at first join.",
    )
    async def join(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        tenant: NamedDependency[Tenant],
    ) -> JoinOut:
        container = container_of(request)
        deps = container.session_dependencies()
        joined = await services.join_session(actor, session_id, tenant.limits, deps)
        return JoinOut.of(joined, container.events().name)

    @post(
        "/{session_id:uuid}/invitations",
        **idempotent(),
        summary="Invite a guest by e-mail or SMS",
        description=(
            "The invitation and its message are recorded together; a worker sends it. The "
            "answer carries the single-use link and its QR code, shown this once."
        ),
    )
    async def invite(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        data: JSONBody[InviteGuestBody],
        actor: NamedDependency[Actor],
    ) -> IssuedInvitationOut:
        deps = container_of(request).session_dependencies()
        issued = await guests.invite_guest(
            actor,
            guests.InviteGuest(
                session_id=session_id,
                display_name=data.display_name,
                email=data.email,
                phone=data.phone,
                locale=data.locale,
            ),
            deps,
        )
        return IssuedInvitationOut.issued(issued)

    @post(
        "/{session_id:uuid}/invitations/{invitation_id:uuid}/revoke",
        status_code=200,
        summary="Revoke a guest invitation",
        description="Its link stops working at once.",
    )
    async def revoke_invitation(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        invitation_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> InvitationOut:
        deps = container_of(request).session_dependencies()
        revoked = await guests.revoke_invitation(actor, session_id, invitation_id, deps)
        return InvitationOut.of(revoked)

    @get("/{session_id:uuid}/invitations", summary="List a session's invitations")
    async def list_invitations(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> InvitationPage:
        deps = container_of(request).session_dependencies()
        page = await guests.list_invitations(actor, session_id, page_request(cursor, limit), deps)
        return InvitationPage(
            items=[InvitationOut.of(i) for i in page.items], next_cursor=encode_cursor(page.next)
        )

    @get(
        "/{session_id:uuid}/notifications",
        summary="List the notifications sent about a session, with their delivery status",
    )
    async def list_notifications(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> NotificationPage:
        deps = container_of(request).session_dependencies()
        page = await services.list_session_notifications(
            actor, session_id, page_request(cursor, limit), deps
        )
        return NotificationPage(
            items=[NotificationOut.of(m) for m in page.items], next_cursor=encode_cursor(page.next)
        )
