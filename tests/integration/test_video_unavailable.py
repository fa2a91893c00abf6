"""A video provider that is down fails the join with 503 + Retry-After and leaves nothing.

The real opentok adapter talks to a local fake of OpenTok's REST API that answers 503
(then 403) as an outage or a credentials refusal would; the session must come out as
it went in: no video room recorded, no participant added. When the provider is back,
the same join succeeds.
"""

from __future__ import annotations

from uuid import UUID

import pytest
from dependency_injector import providers

from adapters.opentok.video_provider import OpenTokVideoProvider
from adapters.system.clock import SystemClock
from tests.integration.conftest import Api
from tests.support.opentok_server import (  # noqa: F401 - fixture, found by pytest by name
    OpenTokTestServer,
    opentok_server_fixture,
)


@pytest.mark.parametrize("status", [503, 403])
async def test_join_while_the_video_provider_is_down_answers_503_and_changes_nothing(
    api: Api, opentok_server: OpenTokTestServer, status: int
) -> None:
    api.container.video.override(
        providers.Object(OpenTokVideoProvider(opentok_server.settings(), SystemClock()))
    )
    api.container.session_dependencies.reset()
    created = await api.create_tenant("alpha")
    headers = await api.login("alpha")
    session_id = await api.create_session(headers)
    opentok_server.answer_http(status)

    failed = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=headers)

    assert failed.status_code == 503
    assert failed.headers["Retry-After"].isdigit()
    assert failed.headers["Content-Type"].startswith("application/problem+json")
    assert failed.json()["code"] == "unavailable"
    tenant_id = UUID(created["tenant"]["id"])
    async with api.container.tenant_uow()(tenant_id) as uow:
        session = await uow.sessions.get(UUID(session_id))
        participants = await uow.participants.list_for_session(UUID(session_id))
    assert session is not None
    assert session.video_room_id is None
    assert participants == []

    opentok_server.answer_http(None)
    joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=headers)

    assert joined.status_code == 200, joined.text
    assert joined.json()["video"]["provider"] == "opentok"
