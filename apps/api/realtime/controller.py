"""Firebase client tokens and presence: the realtime endpoints that are plain HTTP."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, encode_cursor, page_request
from apps.api.realtime.schemas import FirebaseTokenOut, HeartbeatBody, PresenceOut, PresencePage
from core.errors import Conflict
from core.identity.model import Actor
from core.realtime import presence
from ports.events import ClientAccess


class FirebaseTokenController(Controller):
    path = "/realtime"
    tags = ["realtime"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @post(
        "/firebase-token",
        status_code=200,
        summary="A Firebase custom token for the caller's realtime events",
        description=(
            "Only when events go through Firebase (events.backend = firebase); otherwise "
            "409 realtime_not_firebase: use the WebSocket at /api/v1/realtime/ws."
        ),
    )
    async def firebase_token(
        self, request: Request[Any, Any, Any], actor: NamedDependency[Actor]
    ) -> FirebaseTokenOut:
        events = container_of(request).events()
        if not isinstance(events, ClientAccess):
            raise Conflict(
                "realtime events are not served by Firebase here; use /api/v1/realtime/ws",
                code="realtime_not_firebase",
            )
        grant = await events.grant(actor.tenant_id, actor.user_id, actor.role.value)
        return FirebaseTokenOut.of(grant)


class PresenceController(Controller):
    path = "/presence"
    tags = ["presence"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @post(
        "/heartbeat",
        status_code=200,
        summary="Report a device online, in a call, or offline",
        description=(
            "Repeat within events.presence_ttl_seconds or the device counts as offline. "
            "Answers the caller's overall presence."
        ),
    )
    async def heartbeat(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[HeartbeatBody],
        actor: NamedDependency[Actor],
    ) -> PresenceOut:
        deps = container_of(request).presence_dependencies()
        return PresenceOut.of(await presence.report(actor, data.device, data.status, deps))

    @get("/", summary="Presence of the tenant's users, in account order")
    async def list_presence(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> PresencePage:
        deps = container_of(request).presence_dependencies()
        page = await presence.list_presence(actor, page_request(cursor, limit), deps)
        return PresencePage(
            items=[PresenceOut.of(item) for item in page.items],
            next_cursor=encode_cursor(page.next),
        )
