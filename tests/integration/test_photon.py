"""Photon's custom authentication and webhooks, driven exactly as Photon calls them.

Photon calls one URL per application, never a tenant's host: the tenant comes from the
signed join ticket (authentication) or from the room name (webhooks). Every answer is
HTTP 200 with Photon's JSON, whatever arrives, because Photon reads nothing else.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from uuid import UUID, uuid4

import pytest
from dependency_injector import providers
from pydantic import SecretStr

from adapters.memory.request_limiter import MemoryRequestLimiter
from adapters.system.clock import SystemClock
from ports.multiplayer import MultiplayerRooms, RoomAddress
from tests.integration.conftest import Api

AUTH = "/api/v1/photon/auth"
HOOKS = "/api/v1/photon/webhooks"
SECRET_HEADER = "X-Passerelle-Photon-Secret"
WEBHOOK_SECRET = "photon-dashboard-header-secret-0123456789"
SLACK = timedelta(seconds=5)


@pytest.fixture(autouse=True)
def _photon_settings(api: Api) -> None:
    """The webhook secret as configured in Photon's dashboard, in this test's settings."""
    settings = api.container.settings()
    photon = settings.photon.model_copy(update={"webhook_secret": SecretStr(WEBHOOK_SECRET)})
    api.container.settings.override(settings.model_copy(update={"photon": photon}))


@dataclass(frozen=True)
class Joined:
    tenant_id: UUID
    session_id: UUID
    participant_id: UUID
    headers: dict[str, str]


def rooms(api: Api) -> MultiplayerRooms:
    return cast("MultiplayerRooms", api.container.multiplayer())


async def join(api: Api, slug: str) -> Joined:
    tenant = await api.create_tenant(slug)
    headers = await api.login(slug)
    session_id = await api.create_session(headers)
    joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=headers)
    assert joined.status_code == 200, joined.text
    return Joined(
        UUID(tenant["tenant"]["id"]),
        UUID(session_id),
        UUID(joined.json()["participant_id"]),
        headers,
    )


def ticket(api: Api, who: Joined, ttl: timedelta = timedelta(minutes=5)) -> str:
    room = RoomAddress(who.tenant_id, who.session_id)
    return rooms(api).join_info(room, who.participant_id, ttl).ticket


def room_name(api: Api, who: Joined) -> str:
    return rooms(api).room_name(RoomAddress(who.tenant_id, who.session_id))


def call(
    hook_type: str, game_id: str, user_id: str, actor: int = 1, **extra: Any
) -> dict[str, Any]:
    """A webhook body as Photon sends it."""
    return {
        "AppId": "development",
        "AppVersion": "1.0",
        "Region": "local",
        "GameId": game_id,
        "Type": hook_type,
        "ActorNr": actor,
        "UserId": user_id,
        "NickName": "Ada",
    } | extra


async def hook(api: Api, path: str, body: Any, secret: str | None = WEBHOOK_SECRET) -> Any:
    headers = {} if secret is None else {SECRET_HEADER: secret}
    response = await api.client.post(f"{HOOKS}/{path}", json=body, headers=headers)
    assert response.status_code == 200
    return response.json()


# --- custom authentication ------------------------------------------------------------------


async def test_a_valid_ticket_by_get_is_accepted_with_user_and_cookie(api: Api) -> None:
    alpha = await join(api, "alpha")

    response = await api.client.get(AUTH, params={"token": ticket(api, alpha)})

    assert response.status_code == 200
    assert response.json() == {
        "ResultCode": 1,
        "UserId": str(alpha.participant_id),
        "Nickname": "host",
        "AuthCookie": {
            "tenant": str(alpha.tenant_id),
            "session": str(alpha.session_id),
            "participant": str(alpha.participant_id),
        },
    }


async def test_a_joins_room_ticket_lives_photon_ticket_ttl_seconds_not_the_video_tokens(
    api: Api,
) -> None:
    await api.create_tenant("alpha")
    headers = await api.login("alpha")
    session_id = await api.create_session(headers)

    joined_at = datetime.now(UTC)
    answer = (await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=headers)).json()

    ticket_ends = datetime.fromisoformat(answer["multiplayer"]["expires_at"]) - joined_at
    token_ends = datetime.fromisoformat(answer["video"]["expires_at"]) - joined_at
    settings = api.container.settings()
    assert abs(ticket_ends - timedelta(seconds=settings.photon.ticket_ttl_seconds)) < SLACK
    assert abs(token_ends - timedelta(minutes=settings.sessions.join_token_ttl_minutes)) < SLACK


async def test_a_valid_ticket_by_post_json_is_accepted(api: Api) -> None:
    alpha = await join(api, "alpha")

    response = await api.client.post(AUTH, json={"token": ticket(api, alpha)})

    assert response.status_code == 200
    assert response.json()["ResultCode"] == 1
    assert response.json()["UserId"] == str(alpha.participant_id)


@pytest.mark.parametrize(
    "params",
    [{}, {"token": ""}, {"user": "ada"}],
    ids=["nothing", "empty-token", "no-token"],
)
async def test_missing_parameters_answer_result_code_3(api: Api, params: dict[str, str]) -> None:
    response = await api.client.get(AUTH, params=params)

    assert response.status_code == 200
    assert response.json()["ResultCode"] == 3
    assert response.json()["Message"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"{not json", "application/json"), (b"[1, 2]", "application/json"), (b"\xff\xfe", "")],
    ids=["broken-json", "json-list", "binary"],
)
async def test_malformed_post_bodies_answer_result_code_3(
    api: Api, body: bytes, content_type: str
) -> None:
    response = await api.client.post(AUTH, content=body, headers={"Content-Type": content_type})

    assert response.status_code == 200
    assert response.json()["ResultCode"] == 3


@pytest.mark.parametrize(
    "token",
    ["garbage", "pxr1.e30.AAAA", "pxr1..", "dev.abc.def"],
    ids=["garbage", "forged-signature", "empty-parts", "video-token"],
)
async def test_bad_tickets_answer_result_code_2(api: Api, token: str) -> None:
    response = await api.client.get(AUTH, params={"token": token})

    assert response.status_code == 200
    assert response.json()["ResultCode"] == 2


async def test_a_tampered_ticket_is_refused(api: Api) -> None:
    alpha = await join(api, "alpha")
    prefix, body, signature = ticket(api, alpha).split(".")
    claims = json.loads(_unb64(body))
    claims["pid"] = str(uuid4())
    forged = f"{prefix}.{_b64(json.dumps(claims).encode())}.{signature}"

    response = await api.client.get(AUTH, params={"token": forged})

    assert response.json()["ResultCode"] == 2


async def test_an_expired_ticket_is_refused(api: Api) -> None:
    alpha = await join(api, "alpha")

    response = await api.client.get(
        AUTH, params={"token": ticket(api, alpha, ttl=timedelta(seconds=-1))}
    )

    assert response.json() == {"ResultCode": 2, "Message": "the ticket has expired"}


async def test_a_ticket_of_an_ended_session_is_refused(api: Api) -> None:
    alpha = await join(api, "alpha")
    ended = await api.client.post(f"/api/v1/sessions/{alpha.session_id}/end", headers=alpha.headers)
    assert ended.status_code == 200, ended.text

    response = await api.client.get(AUTH, params={"token": ticket(api, alpha)})

    assert response.json()["ResultCode"] == 2
    assert "ended" in response.json()["Message"]


async def test_a_ticket_naming_another_tenants_session_is_refused(api: Api) -> None:
    alpha = await join(api, "alpha")
    bravo = await join(api, "bravo")
    crossed = Joined(bravo.tenant_id, alpha.session_id, alpha.participant_id, bravo.headers)

    response = await api.client.get(AUTH, params={"token": ticket(api, crossed)})

    assert response.json()["ResultCode"] == 2


async def test_a_ticket_presented_for_another_tenant_is_refused(api: Api) -> None:
    alpha = await join(api, "alpha")
    await api.create_tenant("bravo")

    refused = await api.client.get(AUTH, params={"token": ticket(api, alpha), "tenant": "bravo"})
    accepted = await api.client.get(AUTH, params={"token": ticket(api, alpha), "tenant": "alpha"})

    assert refused.json()["ResultCode"] == 2
    assert accepted.json()["ResultCode"] == 1


async def test_a_ticket_for_someone_not_in_the_session_is_refused(api: Api) -> None:
    alpha = await join(api, "alpha")
    stranger = Joined(alpha.tenant_id, alpha.session_id, uuid4(), alpha.headers)

    response = await api.client.get(AUTH, params={"token": ticket(api, stranger)})

    assert response.json()["ResultCode"] == 2


# --- webhooks --------------------------------------------------------------------------------


async def test_join_and_leave_webhooks_update_who_is_in_the_room(api: Api) -> None:
    alpha = await join(api, "alpha")
    game, user = room_name(api, alpha), str(alpha.participant_id)
    presence = api.container.room_presence()
    room = RoomAddress(alpha.tenant_id, alpha.session_id)

    assert await hook(api, "GameCreate", call("Create", game, user, 1)) == {"ResultCode": 0}
    assert [o.participant_id for o in await presence.occupants(room)] == [alpha.participant_id]
    leave = call("ClientDisconnect", game, user, 1, Reason="0", IsInactive=False)
    assert await hook(api, "GameLeave", leave) == {"ResultCode": 0}
    assert await presence.occupants(room) == []
    assert await hook(api, "GameJoin", call("Join", game, user, 2)) == {"ResultCode": 0}
    [occupant] = await presence.occupants(room)
    assert occupant.actor_number == 2
    close = {k: v for k, v in call("Close", game, user).items() if k not in ("ActorNr", "UserId")}
    assert await hook(api, "GameClose", close) == {"ResultCode": 0}
    assert await presence.occupants(room) == []


@pytest.mark.parametrize(
    ("path", "hook_type", "extra"),
    [
        ("GameBeforeJoin", "BeforeJoin", {}),
        ("GameEvent", "Event", {"EvCode": 1, "Data": {"pin": [0, 1, 2]}}),
        ("GameProperties", "Game", {"Properties": {"mode": "inspect"}}),
    ],
)
async def test_other_webhooks_of_a_participant_are_accepted(
    api: Api, path: str, hook_type: str, extra: dict[str, Any]
) -> None:
    alpha = await join(api, "alpha")
    body = call(hook_type, room_name(api, alpha), str(alpha.participant_id), **extra)

    assert await hook(api, path, body) == {"ResultCode": 0}


@pytest.mark.parametrize("secret", [None, "wrong", ""], ids=["missing", "wrong", "empty"])
async def test_webhooks_without_the_dashboard_secret_are_refused(
    api: Api, secret: str | None
) -> None:
    alpha = await join(api, "alpha")
    body = call("Join", room_name(api, alpha), str(alpha.participant_id))

    answer = await hook(api, "GameJoin", body, secret=secret)

    assert answer["ResultCode"] == 1
    room = RoomAddress(alpha.tenant_id, alpha.session_id)
    assert await api.container.room_presence().occupants(room) == []


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("GameJoin", "not an object"),
        ("GameJoin", {"AppId": "a", "Type": "Join"}),
        (
            "GameJoin",
            {"AppId": "a", "GameId": "g", "Type": "Teleport", "ActorNr": 1, "UserId": "u"},
        ),
        ("GameJoin", {"AppId": "a", "GameId": "g", "Type": "Join", "UserId": "u"}),
        ("GameJoin", {"AppId": "a", "GameId": "g", "Type": "Join", "ActorNr": "1", "UserId": "u"}),
        ("GameJoin", {"AppId": "a", "GameId": "g", "Type": "Join", "ActorNr": 0, "UserId": "u"}),
        (
            "GameJoin",
            {"AppId": "a", "GameId": "g", "Type": "Join", "ActorNr": 2**40, "UserId": "u"},
        ),
        (
            "GameLeave",
            {
                "AppId": "a",
                "GameId": "g",
                "Type": "LeaveRequest",
                "ActorNr": 1,
                "UserId": "u",
                "IsInactive": "false",
            },
        ),
        (
            "GameTeleport",
            {"AppId": "a", "GameId": "g", "Type": "Join", "ActorNr": 1, "UserId": "u"},
        ),
    ],
    ids=[
        "not-object",
        "no-game",
        "unknown-type",
        "no-actor",
        "text-actor",
        "actor-zero",
        "actor-beyond-32-bits",
        "text-inactive",
        "unknown-path",
    ],
)
async def test_malformed_webhooks_answer_a_failure_code(api: Api, path: str, body: Any) -> None:
    answer = await hook(api, path, body)

    assert answer["ResultCode"] == 2
    assert answer["Message"]


async def test_a_webhook_with_a_broken_body_answers_photons_json(api: Api) -> None:
    response = await api.client.post(
        f"{HOOKS}/GameJoin",
        content=b"{broken",
        headers={SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"},
    )

    assert response.status_code == 200
    assert response.json()["ResultCode"] == 2


async def test_a_room_that_is_not_the_platforms_is_refused(api: Api) -> None:
    alpha = await join(api, "alpha")

    answer = await hook(api, "GameCreate", call("Create", "my-room", str(alpha.participant_id)))

    assert answer["ResultCode"] == 3


async def test_another_tenants_participant_cannot_enter_a_room(api: Api) -> None:
    alpha = await join(api, "alpha")
    bravo = await join(api, "bravo")
    alpha_room = room_name(api, alpha)

    stranger = await hook(api, "GameJoin", call("Join", alpha_room, str(bravo.participant_id)))
    cookie = {"tenant": str(bravo.tenant_id), "participant": str(alpha.participant_id)}
    cookied = await hook(
        api, "GameJoin", call("Join", alpha_room, str(alpha.participant_id), AuthCookie=cookie)
    )

    assert stranger["ResultCode"] == 3
    assert cookied["ResultCode"] == 3
    room = RoomAddress(alpha.tenant_id, alpha.session_id)
    assert await api.container.room_presence().occupants(room) == []


async def test_a_room_of_an_ended_session_cannot_be_entered(api: Api) -> None:
    alpha = await join(api, "alpha")
    ended = await api.client.post(f"/api/v1/sessions/{alpha.session_id}/end", headers=alpha.headers)
    assert ended.status_code == 200, ended.text

    answer = await hook(
        api, "GameJoin", call("Join", room_name(api, alpha), str(alpha.participant_id))
    )

    assert answer["ResultCode"] == 3
    assert "ended" in answer["Message"]


async def test_a_participant_who_left_can_no_longer_enter_or_act_in_the_room(api: Api) -> None:
    alpha = await join(api, "alpha")
    pass_ = ticket(api, alpha)
    game, user = room_name(api, alpha), str(alpha.participant_id)
    removed = await api.client.post(
        f"/api/v1/sessions/{alpha.session_id}/participants/{user}/leave", headers=alpha.headers
    )
    assert removed.status_code == 204, removed.text

    authenticated = (await api.client.get(AUTH, params={"token": pass_})).json()
    entered = await hook(api, "GameJoin", call("Join", game, user, 2))
    acted = await hook(api, "GameEvent", call("Event", game, user, 2, EvCode=1))
    leaving = await hook(api, "GameLeave", call("LeaveRequest", game, user, 2, IsInactive=False))

    assert authenticated == {"ResultCode": 2, "Message": "the participant has left the session"}
    assert (entered["ResultCode"], acted["ResultCode"]) == (3, 3)
    assert leaving == {"ResultCode": 0}
    room = RoomAddress(alpha.tenant_id, alpha.session_id)
    assert await api.container.room_presence().occupants(room) == []


@pytest.mark.parametrize(
    ("path", "hook_type"), [("GameEvent", "Event"), ("GameProperties", "Actor")]
)
async def test_events_in_the_room_of_an_ended_session_are_refused(
    api: Api, path: str, hook_type: str
) -> None:
    alpha = await join(api, "alpha")
    ended = await api.client.post(f"/api/v1/sessions/{alpha.session_id}/end", headers=alpha.headers)
    assert ended.status_code == 200, ended.text

    answer = await hook(
        api, path, call(hook_type, room_name(api, alpha), str(alpha.participant_id))
    )

    assert answer == {"ResultCode": 3, "Message": "the session is ended"}


async def test_closing_the_room_of_no_known_session_is_refused(api: Api) -> None:
    alpha = await join(api, "alpha")
    unknown_session = RoomAddress(alpha.tenant_id, uuid4())
    unknown_tenant = RoomAddress(uuid4(), alpha.session_id)

    answers = [
        await hook(api, "GameClose", _close(rooms(api).room_name(room)))
        for room in (unknown_session, unknown_tenant)
    ]

    assert answers == [{"ResultCode": 3, "Message": "unknown session"}] * 2
    assert await hook(api, "GameClose", _close(room_name(api, alpha))) == {"ResultCode": 0}


async def test_a_webhook_for_another_photon_application_is_refused(api: Api) -> None:
    alpha = await join(api, "alpha")
    settings = api.container.settings()
    photon = settings.photon.model_copy(update={"app_id": "our-application-id"})
    api.container.settings.override(settings.model_copy(update={"photon": photon}))
    body = call("Join", room_name(api, alpha), str(alpha.participant_id))

    foreign = await hook(api, "GameJoin", body | {"AppId": "someone-elses-application"})
    ours = await hook(api, "GameJoin", body | {"AppId": "our-application-id"})

    assert foreign["ResultCode"] == 3
    assert ours == {"ResultCode": 0}


async def test_photons_calls_are_never_rate_limited(api: Api) -> None:
    """Photon calls from a few addresses for every tenant: a 429 would fail every join."""
    alpha = await join(api, "alpha")
    settings = api.container.settings()
    tight = settings.rate_limits.model_copy(update={"enabled": True, "per_ip_per_minute": 2})
    api.container.settings.override(settings.model_copy(update={"rate_limits": tight}))
    # A fresh count: the join's own requests spent part of the IP's budget at the old rate.
    api.container.request_limiter.override(providers.Object(MemoryRequestLimiter(SystemClock())))
    body = call("Event", room_name(api, alpha), str(alpha.participant_id), EvCode=1)

    answers = [
        *[(await api.client.get(AUTH, params={"token": ticket(api, alpha)})) for _ in range(4)],
        *[
            await api.client.post(
                f"{HOOKS}/GameEvent", json=body, headers={SECRET_HEADER: WEBHOOK_SECRET}
            )
            for _ in range(4)
        ],
    ]

    assert [a.status_code for a in answers] == [200] * 8
    assert [a.json()["ResultCode"] for a in answers] == [1] * 4 + [0] * 4
    others = [await api.client.get("/api/v1/sessions", headers=alpha.headers) for _ in range(3)]
    assert [a.status_code for a in others] == [200, 200, 429]


async def test_a_body_too_large_answers_photons_json(api: Api) -> None:
    too_large = b"{" + b" " * api.container.settings().api.max_request_body_bytes + b"}"
    headers = {SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"}

    answers = [
        await api.client.post(AUTH, content=too_large, headers=headers),
        await api.client.post(f"{HOOKS}/GameJoin", content=too_large, headers=headers),
    ]

    assert [a.status_code for a in answers] == [200, 200]
    assert [a.json() for a in answers] == [
        {"ResultCode": code, "Message": "Request Entity Too Large"} for code in (3, 2)
    ]


def _close(game_id: str) -> dict[str, Any]:
    return {"AppId": "development", "GameId": game_id, "Type": "Close"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
