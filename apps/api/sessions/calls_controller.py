"""Calling someone, answering, declining, cancelling; each person's call preferences."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.api.middleware.routes import idempotent
from apps.api.sessions.call_schemas import CallPreferenceBody, CallPreferenceOut, PlaceCallBody
from apps.api.sessions.schemas import SessionOut
from core.identity.model import Actor
from core.sessions import calls
from core.tenants.model import Tenant


class CallController(Controller):
    path = "/"
    tags = ["calls"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @post(
        "/calls",
        **idempotent(),
        summary="Call someone",
        description=(
            "A ringing session: the callee gets a session.ringing event and a push; "
            "unanswered within the ring timeout, the call is missed and the callee told."
        ),
    )
    async def place(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PlaceCallBody],
        actor: NamedDependency[Actor],
        tenant: NamedDependency[Tenant],
    ) -> SessionOut:
        deps = container_of(request).session_dependencies()
        call = calls.PlaceCall(data.callee_kind, data.callee_id, data.reference)
        return SessionOut.of(await calls.place_call(actor, call, tenant.limits, deps))

    @post("/sessions/{session_id:uuid}/accept", status_code=200, summary="Accept a call")
    async def accept(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> SessionOut:
        deps = container_of(request).session_dependencies()
        return SessionOut.of(await calls.accept_call(actor, session_id, deps))

    @post("/sessions/{session_id:uuid}/decline", status_code=200, summary="Decline a call")
    async def decline(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> SessionOut:
        deps = container_of(request).session_dependencies()
        return SessionOut.of(await calls.decline_call(actor, session_id, deps))

    @post(
        "/sessions/{session_id:uuid}/cancel",
        status_code=200,
        summary="Cancel a call or a session nobody joined",
    )
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> SessionOut:
        deps = container_of(request).session_dependencies()
        return SessionOut.of(await calls.cancel_call(actor, session_id, deps))

    @get("/call-preferences", summary="How the caller hears of calls and missed calls")
    async def preference(
        self, request: Request[Any, Any, Any], actor: NamedDependency[Actor]
    ) -> CallPreferenceOut:
        deps = container_of(request).session_dependencies()
        return CallPreferenceOut.of(await calls.get_call_preference(actor, deps))

    @put("/call-preferences", summary="Choose how missed calls are told, register a push token")
    async def set_preference(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[CallPreferenceBody],
        actor: NamedDependency[Actor],
    ) -> CallPreferenceOut:
        deps = container_of(request).session_dependencies()
        chosen = await calls.set_call_preference(
            actor, data.missed_call_channel, data.phone, data.push_token, data.locale, deps
        )
        return CallPreferenceOut.of(chosen)
