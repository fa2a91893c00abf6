"""Recordings end to end: started and stopped through the API at an OpenTok- or Vonage-shaped
fake, the provider's archive callback (signed as each provider signs it) recorded, and the
file copied by the worker's job from a local HTTP server into the tenant's directory.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID

import jwt
import pytest
from dependency_injector import providers

from adapters.memory.clock import FixedClock
from adapters.memory.event_publisher import InProcessEventPublisher
from adapters.opentok.video_provider import OpenTokVideoProvider
from adapters.system.clock import SystemClock
from adapters.vonage.video_provider import VonageVideoProvider
from core.files.model import FileKind
from core.recordings.copies import copy_due_recordings
from core.recordings.model import CopyState, Recording, RecordingMode
from core.recordings.services import RecordingDependencies
from ports.blob_store import BlobPageRequest
from ports.events import EventType, session_channel
from tests.integration.conftest import ADMIN_PASSWORD, Api
from tests.support.opentok_server import (  # noqa: F401 - fixture, found by pytest by name
    CALLBACK_SECRET,
    OpenTokTestServer,
    VideoApiFake,
    opentok_server_fixture,
)
from tests.support.vonage_video_server import (  # noqa: F401 - fixtures, found by name
    SIGNATURE_SECRET,
    VonageVideoTestServer,
    vonage_video_keys_fixture,
    vonage_video_server_fixture,
)

CALLBACK = "/api/v1/webhooks/video/archives"
RECORDING = bytes(range(256)) * 8192  # 2 MiB, so the copy streams in several chunks
WRONG_SECRET = "a-wrong-secret-of-the-same-length-as-the-real-one"


class _FileServer(ThreadingHTTPServer):
    daemon_threads = True
    failures_left = 0


class _FileHandler(BaseHTTPRequestHandler):
    server: _FileServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silent."""

    def do_GET(self) -> None:
        if self.server.failures_left > 0:
            self.server.failures_left -= 1
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(len(RECORDING)))
        self.end_headers()
        self.wfile.write(RECORDING)


@pytest.fixture(name="archive_store")
def archive_store_fixture() -> Iterator[_FileServer]:
    """Where the provider keeps finished archives: a plain HTTP server on 127.0.0.1."""
    server = _FileServer(("127.0.0.1", 0), _FileHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@dataclasses.dataclass
class Provider:
    fake: VideoApiFake
    sign: Any


@pytest.fixture(params=["opentok", "vonage"])
def provider(request: pytest.FixtureRequest, api: Api) -> Provider:
    if request.param == "opentok":
        fake: OpenTokTestServer = request.getfixturevalue("opentok_server")
        adapter: Any = OpenTokVideoProvider(fake.settings(), SystemClock())
        sign = _opentok_signed
    else:
        vonage: VonageVideoTestServer = request.getfixturevalue("vonage_video_server")
        adapter = VonageVideoProvider(vonage.settings(), SystemClock())
        fake, sign = vonage, _vonage_signed
    api.container.video.override(providers.Object(adapter))
    api.container.session_dependencies.reset()
    api.container.recording_dependencies.reset()
    return Provider(fake, sign)


def _opentok_signed(body: bytes, secret: str = CALLBACK_SECRET) -> dict[str, Any]:
    return {"params": {"token": secret}, "headers": {"Content-Type": "application/json"}}


def _vonage_signed(body: bytes, secret: str = SIGNATURE_SECRET) -> dict[str, Any]:
    claims = {"iat": int(time.time()), "payload_hash": hashlib.sha256(body).hexdigest()}
    token = jwt.encode(claims, secret, algorithm="HS256")
    return {"headers": {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}}


async def _recording_session(api: Api, slug: str) -> tuple[dict[str, str], str, UUID]:
    created = await api.create_tenant(slug)
    headers = await api.login(slug)
    session_id = await api.create_session(headers)
    joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=headers)
    assert joined.status_code == 200, joined.text
    return headers, session_id, UUID(created["tenant"]["id"])


def _callback_body(fake: VideoApiFake, archive_id: str, url: str, **extra: Any) -> bytes:
    """What the provider posts once the archive is available: its own record of it."""
    archive = dict(fake.state.archives[archive_id])
    archive.update(status="available", url=url, size=len(RECORDING), duration=42, **extra)
    return json.dumps(archive).encode()


async def test_a_recording_is_started_stopped_called_back_copied_and_announced(
    api: Api, provider: Provider, archive_store: _FileServer, events: InProcessEventPublisher
) -> None:
    headers, session_id, tenant_id = await _recording_session(api, "alpha")
    base = f"/api/v1/sessions/{session_id}/recordings"

    started = await api.client.post(base, headers=headers)
    assert started.status_code == 201, started.text
    recording = started.json()
    assert recording["status"] == "recording"
    stopped = await api.client.post(f"{base}/{recording['id']}/stop", headers=headers)
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["status"] == "stopped"

    async with api.container.tenant_uow()(tenant_id) as uow:
        stored = await uow.recordings.get(UUID(recording["id"]))
    assert stored is not None
    url = f"http://127.0.0.1:{archive_store.server_address[1]}/archive.mp4"
    body = _callback_body(provider.fake, stored.archive_id, url)
    answered = await api.client.post(CALLBACK, content=body, **provider.sign(body))
    assert answered.status_code == 204, answered.text

    listed = (await api.client.get(base, headers=headers)).json()["items"]
    assert [(r["status"], r["copy_state"]) for r in listed] == [("available", "pending")]
    assert "url" not in json.dumps(listed)

    heard = events.subscribe(session_channel(tenant_id, UUID(session_id)))
    copied = await copy_due_recordings(tenant_id, api.container.recording_dependencies())

    assert copied == 1
    ready = heard.get_nowait()
    assert ready.type is EventType.RECORDING_READY
    assert ready.data == {
        "session_id": session_id,
        "recording_id": recording["id"],
        "file_id": recording["id"],
        "size": len(RECORDING),
    }
    listed = (await api.client.get(base, headers=headers)).json()["items"]
    assert listed[0]["copy_state"] == "stored"
    assert listed[0]["size_bytes"] == len(RECORDING)
    assert listed[0]["file_id"] == recording["id"]
    blob = b"".join(
        [chunk async for chunk in api.container.blob_store().get(tenant_id, stored.file_key)]
    )
    assert blob == RECORDING
    async with api.container.tenant_uow()(tenant_id) as uow:
        file = await uow.files.get(UUID(recording["id"]))
    assert file is not None
    assert file.kind is FileKind.RECORDING
    assert file.session_id == UUID(session_id)
    assert file.size == len(RECORDING)


async def _started_recording(api: Api, provider: Provider) -> tuple[UUID, Recording, bytes]:
    """Tenant alpha's recording started by hand, and the callback saying it is available."""
    headers, session_id, tenant_id = await _recording_session(api, "alpha")
    started = await api.client.post(f"/api/v1/sessions/{session_id}/recordings", headers=headers)
    async with api.container.tenant_uow()(tenant_id) as uow:
        recording = await uow.recordings.get(UUID(started.json()["id"]))
    assert recording is not None
    body = _callback_body(provider.fake, recording.archive_id, "http://127.0.0.1:9/x.mp4")
    return tenant_id, recording, body


async def test_a_callback_with_a_bad_signature_is_refused_and_changes_nothing(
    api: Api, provider: Provider
) -> None:
    tenant_id, before, body = await _started_recording(api, provider)

    forged = await api.client.post(CALLBACK, content=body, **provider.sign(body, WRONG_SECRET))
    unsigned = await api.client.post(CALLBACK, content=body)

    assert forged.status_code == 401
    assert unsigned.status_code == 401
    assert forged.json()["code"] == "invalid_callback"
    async with api.container.tenant_uow()(tenant_id) as uow:
        assert await uow.recordings.get(before.id) == before


async def test_a_callback_naming_another_tenant_is_not_found(api: Api, provider: Provider) -> None:
    headers, session_id, alpha_id = await _recording_session(api, "alpha")
    _, bravo_session, bravo_id = await _recording_session(api, "bravo")
    started = await api.client.post(f"/api/v1/sessions/{session_id}/recordings", headers=headers)
    async with api.container.tenant_uow()(alpha_id) as uow:
        alphas = await uow.recordings.get(UUID(started.json()["id"]))
    assert alphas is not None
    body = _callback_body(
        provider.fake,
        alphas.archive_id,
        "http://127.0.0.1:9/x.mp4",
        name=f"pxr/{bravo_id}/{bravo_session}",
    )

    answered = await api.client.post(CALLBACK, content=body, **provider.sign(body))

    assert answered.status_code == 404
    assert answered.json()["code"] == "recording_not_found"
    async with api.container.tenant_uow()(alpha_id) as uow:
        assert await uow.recordings.get(alphas.id) == alphas


async def test_a_failing_download_is_retried_later_then_stored(
    api: Api, provider: Provider, archive_store: _FileServer
) -> None:
    headers, session_id, tenant_id = await _recording_session(api, "alpha")
    started = await api.client.post(f"/api/v1/sessions/{session_id}/recordings", headers=headers)
    async with api.container.tenant_uow()(tenant_id) as uow:
        recording = await uow.recordings.get(UUID(started.json()["id"]))
    assert recording is not None
    url = f"http://127.0.0.1:{archive_store.server_address[1]}/archive.mp4"
    body = _callback_body(provider.fake, recording.archive_id, url)
    assert (await api.client.post(CALLBACK, content=body, **provider.sign(body))).status_code == 204
    archive_store.failures_left = 1
    clock = FixedClock(SystemClock().now())
    deps: RecordingDependencies = dataclasses.replace(
        api.container.recording_dependencies(), clock=clock
    )

    assert await copy_due_recordings(tenant_id, deps) == 0
    assert await copy_due_recordings(tenant_id, deps) == 0  # not due again yet
    async with api.container.tenant_uow()(tenant_id) as uow:
        failed = await uow.recordings.get(recording.id)
    assert failed is not None
    assert failed.copy_state is CopyState.PENDING
    assert failed.copy_attempts == 1
    assert "503" in (failed.copy_error or "")

    clock.advance(timedelta(minutes=1))
    assert await copy_due_recordings(tenant_id, deps) == 1
    async with api.container.tenant_uow()(tenant_id) as uow:
        stored = await uow.recordings.get(recording.id)
    assert stored is not None
    assert stored.copy_state is CopyState.STORED
    assert stored.copy_attempts == 2


async def test_recording_is_refused_by_the_tenants_mode_and_before_the_session_is_active(
    api: Api, provider: Provider
) -> None:
    headers, session_id, _ = await _recording_session(api, "alpha")
    idle_session = await api.create_session(headers, "nobody joined yet")

    not_active = await api.client.post(
        f"/api/v1/sessions/{idle_session}/recordings", headers=headers
    )
    chosen = await api.client.put(
        "/api/v1/recording-mode", json={"mode": RecordingMode.NEVER.value}, headers=headers
    )
    never = await api.client.post(f"/api/v1/sessions/{session_id}/recordings", headers=headers)

    assert not_active.status_code == 409
    assert not_active.json()["code"] == "session_not_active"
    assert chosen.status_code == 200
    assert never.status_code == 409
    assert never.json()["code"] == "recording_not_allowed"
    assert provider.fake.state.archives == {}


@pytest.mark.parametrize("mode", ["on_request", "never"])
async def test_an_archive_the_platform_did_not_start_is_not_found_unless_it_records_everything(
    api: Api, provider: Provider, mode: str
) -> None:
    headers, session_id, tenant_id = await _recording_session(api, "alpha")
    chosen = await api.client.put("/api/v1/recording-mode", json={"mode": mode}, headers=headers)
    assert chosen.status_code == 200, chosen.text
    async with api.container.tenant_uow()(tenant_id) as uow:
        session = await uow.sessions.get(UUID(session_id))
    assert session is not None
    body = json.dumps(
        {
            "id": "started-from-the-providers-dashboard",
            "sessionId": session.video_room_id,
            "status": "available",
            "name": f"pxr/{tenant_id}/{session_id}",
            "url": "http://127.0.0.1:9/x.mp4",
        }
    ).encode()

    answered = await api.client.post(CALLBACK, content=body, **provider.sign(body))

    assert answered.status_code == 404
    listed = await api.client.get(f"/api/v1/sessions/{session_id}/recordings", headers=headers)
    assert listed.json()["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"id": 7, "sessionId": "room"}',
        b'{"id": "a", "sessionId": "room", "status": "teleported"}',
        b'{"id": "a", "sessionId": "room", "status": "available", "size": 1e30}',
        b'{"id": "a", "sessionId": "room", "status": "available", "size": Infinity}',
        b'{"id": "a", "sessionId": "room", "status": "available", "duration": NaN}',
        b"[" * 5_000 + b"]" * 5_000,
    ],
    ids=["not-json", "numeric-id", "unknown-status", "huge-size", "infinite", "nan", "deep"],
)
async def test_an_authentic_callback_that_cannot_be_read_is_422_and_changes_nothing(
    api: Api, provider: Provider, body: bytes
) -> None:
    headers, session_id, _ = await _recording_session(api, "alpha")

    answered = await api.client.post(CALLBACK, content=body, **provider.sign(body))

    assert answered.status_code == 422, answered.text
    assert (answered.json()["code"], answered.json()["errors"][0]["field"]) == (
        "malformed_callback",
        "body",
    )
    listed = await api.client.get(f"/api/v1/sessions/{session_id}/recordings", headers=headers)
    assert listed.json()["items"] == []


async def test_in_mode_always_the_provider_records_by_itself_and_its_callbacks_find_the_tenant(
    api: Api, provider: Provider, archive_store: _FileServer
) -> None:
    created = await api.create_tenant("alpha")
    tenant_id = UUID(created["tenant"]["id"])
    headers = await api.login("alpha")
    always = {"mode": "always"}
    chosen = await api.client.put("/api/v1/recording-mode", json=always, headers=headers)
    assert chosen.status_code == 200, chosen.text
    session_id = await api.create_session(headers)
    joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=headers)
    assert joined.status_code == 200, joined.text
    room = joined.json()["video"]["room_id"]
    assert provider.fake.state.sessions[room]["archiveMode"] == "always"
    assert provider.fake.state.sessions[room]["archiveName"] == f"pxr/{tenant_id}/{session_id}"

    archive = provider.fake.publish(room)
    assert archive is not None
    started = json.dumps(archive).encode()
    url = f"http://127.0.0.1:{archive_store.server_address[1]}/archive.mp4"
    available = _callback_body(provider.fake, archive["id"], url)
    for body in (started, available, available):
        answered = await api.client.post(CALLBACK, content=body, **provider.sign(body))
        assert answered.status_code == 204, answered.text
    base = f"/api/v1/sessions/{session_id}/recordings"
    by_hand = await api.client.post(base, headers=headers)

    assert by_hand.status_code == 409
    assert by_hand.json()["code"] == "recording_not_allowed"
    [listed] = (await api.client.get(base, headers=headers)).json()["items"]
    assert (listed["status"], listed["copy_state"], listed["started_by"]) == (
        "available",
        "pending",
        None,
    )
    assert await copy_due_recordings(tenant_id, api.container.recording_dependencies()) == 1
    [stored] = (await api.client.get(base, headers=headers)).json()["items"]
    assert stored["copy_state"] == "stored"
    assert stored["size_bytes"] == len(RECORDING)


async def _joined_in_mode(api: Api, mode: str) -> tuple[dict[str, str], str, UUID, str]:
    """A session of tenant alpha whose video room was created (first join) in ``mode``."""
    created = await api.create_tenant("alpha")
    headers = await api.login("alpha")
    chosen = await api.client.put("/api/v1/recording-mode", json={"mode": mode}, headers=headers)
    assert chosen.status_code == 200, chosen.text
    session_id = await api.create_session(headers)
    joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=headers)
    assert joined.status_code == 200, joined.text
    return headers, session_id, UUID(created["tenant"]["id"]), joined.json()["video"]["room_id"]


def _providers_own_archive(room: str, tenant_id: UUID, session_id: str) -> bytes:
    """A callback of an archive the provider started by itself, under the room's name."""
    return json.dumps(
        {
            "id": f"started-by-the-provider-in-{room}",
            "sessionId": room,
            "status": "started",
            "name": f"pxr/{tenant_id}/{session_id}",
        }
    ).encode()


async def test_a_room_created_in_mode_always_keeps_its_archives_after_the_mode_changed(
    api: Api, provider: Provider
) -> None:
    headers, session_id, _, room = await _joined_in_mode(api, "always")
    archive = provider.fake.publish(room)
    assert archive is not None
    changed = await api.client.put(
        "/api/v1/recording-mode", json={"mode": "on_request"}, headers=headers
    )
    assert changed.status_code == 200, changed.text
    body = json.dumps(archive).encode()

    answered = await api.client.post(CALLBACK, content=body, **provider.sign(body))

    assert answered.status_code == 204, answered.text
    listed = await api.client.get(f"/api/v1/sessions/{session_id}/recordings", headers=headers)
    assert [(r["status"], r["started_by"]) for r in listed.json()["items"]] == [("recording", None)]


async def test_a_room_created_before_mode_always_takes_no_archive_the_platform_did_not_start(
    api: Api, provider: Provider
) -> None:
    headers, session_id, tenant_id, room = await _joined_in_mode(api, "on_request")
    changed = await api.client.put(
        "/api/v1/recording-mode", json={"mode": "always"}, headers=headers
    )
    assert changed.status_code == 200, changed.text
    body = _providers_own_archive(room, tenant_id, session_id)

    answered = await api.client.post(CALLBACK, content=body, **provider.sign(body))

    assert answered.status_code == 404
    listed = await api.client.get(f"/api/v1/sessions/{session_id}/recordings", headers=headers)
    assert listed.json()["items"] == []


@pytest.mark.parametrize(("current", "expected"), [("always", 204), ("on_request", 404)])
async def test_a_room_created_before_sessions_kept_its_mode_follows_the_current_mode(
    api: Api, provider: Provider, current: str, expected: int
) -> None:
    headers, session_id, tenant_id, room = await _joined_in_mode(api, "always")
    async with api.container.tenant_uow()(tenant_id) as uow:
        session = await uow.sessions.get(UUID(session_id))
        assert session is not None
        assert session.room_recording_mode is RecordingMode.ALWAYS
        await uow.sessions.save(dataclasses.replace(session, room_recording_mode=None))
        await uow.commit()
    chosen = await api.client.put("/api/v1/recording-mode", json={"mode": current}, headers=headers)
    assert chosen.status_code == 200, chosen.text
    body = _providers_own_archive(room, tenant_id, session_id)

    answered = await api.client.post(CALLBACK, content=body, **provider.sign(body))

    assert answered.status_code == expected, answered.text


async def test_nobody_records_by_hand_a_room_created_in_mode_always_after_the_mode_changed(
    api: Api, provider: Provider
) -> None:
    headers, session_id, _, room = await _joined_in_mode(api, "always")
    assert provider.fake.publish(room) is not None
    changed = await api.client.put(
        "/api/v1/recording-mode", json={"mode": "on_request"}, headers=headers
    )
    assert changed.status_code == 200, changed.text

    by_hand = await api.client.post(f"/api/v1/sessions/{session_id}/recordings", headers=headers)

    assert by_hand.status_code == 409
    assert by_hand.json()["code"] == "recording_not_allowed"


async def test_a_recording_started_by_hand_may_be_stopped_after_the_tenant_chose_never(
    api: Api, provider: Provider
) -> None:
    headers, session_id, _, room = await _joined_in_mode(api, "on_request")
    provider.fake.publish(room)
    base = f"/api/v1/sessions/{session_id}/recordings"
    started = await api.client.post(base, headers=headers)
    assert started.status_code == 201, started.text
    changed = await api.client.put(
        "/api/v1/recording-mode", json={"mode": "never"}, headers=headers
    )
    assert changed.status_code == 200, changed.text

    stopped = await api.client.post(f"{base}/{started.json()['id']}/stop", headers=headers)

    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["status"] == "stopped"


async def test_a_copy_the_storage_quota_cannot_hold_ends_quota_exceeded_keeping_nothing(
    api: Api, provider: Provider, archive_store: _FileServer
) -> None:
    created = await api.client.post(
        "/api/v1/tenants",
        json={
            "slug": "small",
            "display_name": "Small Inc.",
            "admin_email": "admin@acme.example",
            "admin_password": ADMIN_PASSWORD,
            "admin_name": "Ada Admin",
            "limits": {"storage_quota_bytes": len(RECORDING) // 2},
        },
        headers={"Authorization": f"Bearer {api.operator_key}"},
    )
    assert created.status_code == 201, created.text
    tenant_id = UUID(created.json()["tenant"]["id"])
    headers = await api.login("small")
    session_id = await api.create_session(headers)
    joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=headers)
    assert joined.status_code == 200, joined.text
    base = f"/api/v1/sessions/{session_id}/recordings"
    url = f"http://127.0.0.1:{archive_store.server_address[1]}/archive.mp4"
    for announced in (len(RECORDING), 0):  # the size the provider gave, or none at all
        started = await api.client.post(base, headers=headers)
        assert started.status_code == 201, started.text
        stop = await api.client.post(f"{base}/{started.json()['id']}/stop", headers=headers)
        assert stop.status_code == 200, stop.text
        async with api.container.tenant_uow()(tenant_id) as uow:
            recording = await uow.recordings.get(UUID(started.json()["id"]))
        assert recording is not None
        archive = dict(provider.fake.state.archives[recording.archive_id])
        archive.update(status="available", url=url, size=announced, duration=42)
        body = json.dumps(archive).encode()
        answered = await api.client.post(CALLBACK, content=body, **provider.sign(body))
        assert answered.status_code == 204, answered.text

        assert await copy_due_recordings(tenant_id, api.container.recording_dependencies()) == 0

    listed = (await api.client.get(base, headers=headers)).json()["items"]
    assert [r["copy_state"] for r in listed] == ["quota_exceeded", "quota_exceeded"]
    assert all("quota_exceeded" in r["copy_error"] for r in listed)
    assert [r["file_id"] for r in listed] == [None, None]
    async with api.container.tenant_uow()(tenant_id) as uow:
        assert await uow.files.every() == []
    blobs = await api.container.blob_store().list(tenant_id, "", BlobPageRequest(limit=10))
    assert blobs.items == []
    assert await copy_due_recordings(tenant_id, api.container.recording_dependencies()) == 0
