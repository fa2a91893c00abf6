"""Every VideoProvider makes rooms, mints tokens a client can use, records, and reads callbacks.

The contract runs against the opentok adapter (the opentok SDK talking to a local fake of
OpenTok's REST API), the vonage adapter (the vonage SDK's video module over HTTPS to a
local fake of the Vonage Video API) and the development provider. Tokens are checked by
decoding them as the vendor's media servers would: the signature with the project secret
or the application's public key, then the claims. Provider failures follow, for the two
real providers: whatever goes wrong on their side reaches the core as VideoUnavailable.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest

from adapters.devvideo.video_provider import SIGNATURE_HEADER, DevelopmentVideoProvider
from adapters.opentok.video_provider import OpenTokVideoProvider
from adapters.system.clock import SystemClock
from adapters.vonage.video_provider import VonageVideoProvider
from plugins.testing.video import SESSION, VideoProviderContract, callback_body
from plugins.testing.video import Harness as VideoHarness
from ports.video import (
    ArchiveMode,
    CallbackRequest,
    InvalidVideoCallback,
    VideoUnavailable,
)
from tests.support.network import free_port
from tests.support.opentok_server import (  # noqa: F401 - fixture, found by pytest by name
    CALLBACK_SECRET,
    OPENTOK_API_KEY,
    OPENTOK_API_SECRET,
    OpenTokTestServer,
    VideoApiFake,
    opentok_server_fixture,
)
from tests.support.vonage_video_server import (  # noqa: F401 - fixtures, found by pytest by name
    APPLICATION_ID,
    SIGNATURE_SECRET,
    VonageVideoTestServer,
    new_private_key_pem,
    vonage_video_keys_fixture,
    vonage_video_server_fixture,
)


@dataclass(frozen=True)
class Harness(VideoHarness):
    fake: VideoApiFake | None = None


def _opentok(server: OpenTokTestServer) -> Harness:
    def decode(token: str) -> dict[str, Any]:
        claims = jwt.decode(token, OPENTOK_API_SECRET, algorithms=["HS256"], issuer=OPENTOK_API_KEY)
        return claims | {"room": claims["session_id"]}

    return Harness(
        OpenTokVideoProvider(server.settings(), SystemClock()),
        decode,
        lambda body: CallbackRequest(body, {}, {"token": CALLBACK_SECRET}),
        lambda body: CallbackRequest(body, {}, {"token": "x" + CALLBACK_SECRET}),
        server,
    )


def _vonage(server: VonageVideoTestServer, public_pem: str) -> Harness:
    def decode(token: str) -> dict[str, Any]:
        claims = jwt.decode(token, public_pem, algorithms=["RS256"])
        assert claims["application_id"] == APPLICATION_ID
        return claims | {"room": claims["session_id"]}

    return Harness(
        VonageVideoProvider(server.settings(), SystemClock()),
        decode,
        lambda body: vonage_signed_callback(body, SIGNATURE_SECRET),
        lambda body: vonage_signed_callback(body, "another-signature-secret-of-32-bytes!"),
        server,
    )


def vonage_signed_callback(
    body: bytes, secret: str, issued: float | None = None
) -> CallbackRequest:
    """A callback as Vonage signs it: an HS256 JWT over the body's SHA-256."""
    claims = {
        "iat": int(time.time() if issued is None else issued),
        "jti": str(uuid.uuid4()),
        "iss": "Vonage",
        "payload_hash": hashlib.sha256(body).hexdigest(),
        "application_id": APPLICATION_ID,
    }
    token = jwt.encode(claims, secret, algorithm="HS256")
    return CallbackRequest(body, {"Authorization": f"Bearer {token}"}, {})


def _development() -> Harness:
    provider = DevelopmentVideoProvider(b"contract-secret", SystemClock())

    def decode(token: str) -> dict[str, Any]:
        claims = provider.verify(token)
        assert claims is not None
        return dict(claims)

    return Harness(
        provider,
        decode,
        lambda body: CallbackRequest(body, {SIGNATURE_HEADER: provider.sign_callback(body)}, {}),
        lambda body: CallbackRequest(body, {SIGNATURE_HEADER: "0" * 64}, {}),
        None,
    )


@pytest.fixture(params=["opentok", "vonage", "development"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    if request.param == "opentok":
        yield _opentok(request.getfixturevalue("opentok_server"))
    elif request.param == "vonage":
        keys = request.getfixturevalue("vonage_video_keys")
        yield _vonage(request.getfixturevalue("vonage_video_server"), keys.public_pem)
    else:
        yield _development()


class TestEveryVideoProvider(VideoProviderContract):
    """The kit's contract (plugins.testing.video), against each built-in provider."""


# --- what the real providers receive, and how their failures reach the core -----------------


@pytest.fixture(params=["opentok", "vonage"])
def remote(request: pytest.FixtureRequest) -> Harness:
    if request.param == "opentok":
        return _opentok(request.getfixturevalue("opentok_server"))
    keys = request.getfixturevalue("vonage_video_keys")
    return _vonage(request.getfixturevalue("vonage_video_server"), keys.public_pem)


@pytest.mark.parametrize("mode", list(ArchiveMode))
async def test_rooms_are_routed_with_the_tenant_archive_mode(
    remote: Harness, mode: ArchiveMode
) -> None:
    assert remote.fake is not None

    await remote.provider.create_room(SESSION, archive_mode=mode)

    [call] = remote.fake.calls
    assert call.path == "/session/create"
    assert call.authenticated
    assert call.form["archiveMode"] == mode.value
    assert call.form["p2p.preference"] == "disabled"


async def test_an_always_recorded_room_names_its_automatic_archives(remote: Harness) -> None:
    assert remote.fake is not None

    always = await remote.provider.create_room(
        SESSION, archive_mode=ArchiveMode.ALWAYS, archive_name="pxr/tenant/session"
    )
    await remote.provider.create_room(SESSION, archive_name="pxr/tenant/session")

    named, manual = remote.fake.calls
    assert named.form["archiveName"] == "pxr/tenant/session"
    assert "archiveName" not in manual.form
    archive = remote.fake.publish(always)
    assert archive is not None
    assert archive["name"] == "pxr/tenant/session"


async def test_archive_requests_name_the_room_and_the_recording(remote: Harness) -> None:
    assert remote.fake is not None
    room = await remote.provider.create_room(SESSION)

    await remote.provider.start_archive(room, "Pump 3 inspection")

    start = remote.fake.calls[-1]
    assert start.path == f"/v2/project/{remote.fake.state.project}/archive"
    assert start.json_body["sessionId"] == room
    assert start.json_body["name"] == "Pump 3 inspection"


@pytest.mark.parametrize("status", [403, 500, 503])
async def test_a_provider_that_refuses_or_fails_is_unavailable(
    remote: Harness, status: int
) -> None:
    assert remote.fake is not None
    room = await remote.provider.create_room(SESSION)
    remote.fake.answer_http(status)

    with pytest.raises(VideoUnavailable):
        await remote.provider.create_room(SESSION)
    with pytest.raises(VideoUnavailable):
        await remote.provider.start_archive(room, "during the outage")


async def test_an_unreachable_opentok_is_unavailable(opentok_server: OpenTokTestServer) -> None:
    settings = opentok_server.settings(api_url=f"http://127.0.0.1:{free_port()}")
    provider = OpenTokVideoProvider(settings, SystemClock())

    with pytest.raises(VideoUnavailable):
        await provider.create_room(SESSION)


async def test_an_unreachable_vonage_is_unavailable(
    vonage_video_server: VonageVideoTestServer,
) -> None:
    settings = vonage_video_server.settings(video_host=f"127.0.0.1:{free_port()}")
    provider = VonageVideoProvider(settings, SystemClock())

    with pytest.raises(VideoUnavailable):
        await provider.create_room(SESSION)


async def test_opentok_with_a_wrong_secret_is_refused_and_unavailable(
    opentok_server: OpenTokTestServer,
) -> None:
    provider = OpenTokVideoProvider(
        opentok_server.settings(api_secret="not-the-project-secret-but-32-bytes-long"),
        SystemClock(),
    )

    with pytest.raises(VideoUnavailable):
        await provider.create_room(SESSION)
    assert [call.authenticated for call in opentok_server.calls] == [False]


async def test_vonage_with_another_applications_key_is_refused_and_unavailable(
    vonage_video_server: VonageVideoTestServer,
) -> None:
    provider = VonageVideoProvider(
        vonage_video_server.settings(private_key=new_private_key_pem()), SystemClock()
    )

    with pytest.raises(VideoUnavailable):
        await provider.create_room(SESSION)
    assert vonage_video_server.calls == []


async def test_vonage_callback_whose_body_changed_after_signing_is_refused(
    vonage_video_server: VonageVideoTestServer,
) -> None:
    provider = VonageVideoProvider(vonage_video_server.settings(), SystemClock())
    signed = vonage_signed_callback(callback_body("a1", "room-1"), SIGNATURE_SECRET)

    with pytest.raises(InvalidVideoCallback):
        provider.parse_archive_callback(
            CallbackRequest(callback_body("a1", "room-2"), signed.headers, {})
        )


async def test_vonage_callback_signed_long_ago_is_refused_as_a_replay(
    vonage_video_server: VonageVideoTestServer,
) -> None:
    provider = VonageVideoProvider(vonage_video_server.settings(), SystemClock())
    body = callback_body("a1", "room-1")

    with pytest.raises(InvalidVideoCallback):
        provider.parse_archive_callback(
            vonage_signed_callback(body, SIGNATURE_SECRET, issued=time.time() - 3600)
        )


async def test_callbacks_are_refused_when_no_secret_is_configured(
    opentok_server: OpenTokTestServer, vonage_video_server: VonageVideoTestServer
) -> None:
    body = callback_body("a1", "room-1")
    opentok = OpenTokVideoProvider(opentok_server.settings(callback_secret=None), SystemClock())
    vonage = VonageVideoProvider(vonage_video_server.settings(signature_secret=None), SystemClock())

    with pytest.raises(InvalidVideoCallback):
        opentok.parse_archive_callback(CallbackRequest(body, {}, {"token": ""}))
    with pytest.raises(InvalidVideoCallback):
        vonage.parse_archive_callback(vonage_signed_callback(body, SIGNATURE_SECRET))
