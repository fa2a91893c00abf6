"""Recordings: start and stop a session's recording, list them, choose the tenant's mode;
the video provider's archive callback (one URL for the whole platform)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.api.middleware.routes import idempotent, vendor_calls
from apps.api.recordings.schemas import (
    RecordingList,
    RecordingModeBody,
    RecordingModeOut,
    RecordingOut,
)
from core.identity.model import Actor
from core.recordings import services
from core.recordings.model import RecordingMode
from ports.video import CallbackRequest

MAX_CALLBACK_BYTES = 64 * 1024


class RecordingController(Controller):
    path = "/sessions/{session_id:uuid}/recordings"
    tags = ["recordings"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @post(
        "/",
        **idempotent(),
        summary="Start recording a session",
        description="Needs the may_record capability, an active session, a tenant whose "
        "recording mode is not `never`, and a video room not created in mode `always` (the "
        "provider records those by itself); otherwise 409 (`recording_not_allowed`, "
        "`session_not_active`, `recording_refused`).",
    )
    async def start(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> RecordingOut:
        deps = container_of(request).recording_dependencies()
        return RecordingOut.of(await services.start_recording(actor, session_id, deps))

    @post(
        "/{recording_id:uuid}/stop",
        status_code=200,
        summary="Stop recording",
        description="The file is copied into the tenant's storage once the provider has it. "
        "A recording started by hand may be stopped whatever the tenant's mode now is; one "
        "of a room the provider records by itself may not (409 `recording_not_allowed`).",
    )
    async def stop(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        recording_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> RecordingOut:
        deps = container_of(request).recording_dependencies()
        stopped = await services.stop_recording(actor, session_id, recording_id, deps)
        return RecordingOut.of(stopped)

    @get("/", summary="List a session's recordings, oldest first")
    async def list_recordings(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> RecordingList:
        deps = container_of(request).recording_dependencies()
        found = await services.list_recordings(actor, session_id, deps)
        return RecordingList(items=[RecordingOut.of(r) for r in found])


class RecordingModeController(Controller):
    path = "/recording-mode"
    tags = ["recordings"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @get("/", summary="The tenant's recording mode")
    async def read(
        self, request: Request[Any, Any, Any], actor: NamedDependency[Actor]
    ) -> RecordingModeOut:
        deps = container_of(request).recording_dependencies()
        return RecordingModeOut.of(await services.recording_mode(actor, deps))

    @put("/", summary="Choose the tenant's recording mode (admins)")
    async def choose(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RecordingModeBody],
        actor: NamedDependency[Actor],
    ) -> RecordingModeOut:
        deps = container_of(request).recording_dependencies()
        mode = await services.set_recording_mode(actor, RecordingMode(data.mode), deps)
        return RecordingModeOut.of(mode)


class ArchiveCallbackController(Controller):
    path = "/webhooks/video"
    tags = ["webhooks"]
    opt = vendor_calls()

    @post(
        "/archives",
        status_code=HTTP_204_NO_CONTENT,
        request_max_body_size=MAX_CALLBACK_BYTES,
        summary="Archive status callback (called by the video provider)",
        description="Set this URL as the project's archive callback (OpenTok: with "
        "`?token=<opentok.callback_secret>`; Vonage Video: signed callbacks on). Unsigned "
        "calls get 401, an authentic but unreadable body 422; an archive the platform did "
        "not start gets 404 (unless its room was created while the tenant recorded every "
        "session: the provider starts those).",
    )
    async def archive_status(self, request: Request[Any, Any, Any]) -> None:
        callback = CallbackRequest(
            body=await request.body(),
            headers=dict(request.headers),
            query={k: str(v) for k, v in request.query_params.items()},
        )
        await services.record_archive_callback(
            callback, container_of(request).recording_dependencies()
        )
