"""Photon's custom authentication and webhooks, answered in Photon's JSON, always HTTP 200.

Custom authentication (set ``<api>/photon/auth`` as the application's authentication
URL): Photon forwards the client's auth parameters as query parameters (GET) or a JSON
body (POST); the client sends its join ticket as ``token``. A ``tenant`` parameter set in
the dashboard's key/values, if any, must name the ticket's tenant. Answers: ResultCode 1
with ``UserId`` (the participant id), ``Nickname`` and an ``AuthCookie`` carrying tenant,
session and participant; 2 when the credentials are refused; 3 when parameters are
missing or malformed. Photon reads only HTTP 200 answers, so even garbage gets one.

Webhooks (BaseUrl ``<api>/photon/webhooks``, paths GameCreate, GameBeforeJoin, GameJoin,
GameLeave, GameEvent, GameProperties, GameClose) must carry the custom header configured
in Photon's dashboard (``photon.webhook_header``/``photon.webhook_secret``). They answer
``{"ResultCode": 0}``, or a non-zero code with a Message: 1 not authenticated, 2 a
malformed call, 3 refused (not a platform room, unknown or ended session, a stranger).
Joins, leaves and closes update the room's presence.

What the framework refuses on these routes (a body too large) answers a bad call's code
(auth 3, webhooks 2), still HTTP 200.
Paths and methods with no route here are refused by the router before any of this
controller is chosen, so those answer problem details (404, 405): Photon only calls the
two configured URLs.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any, cast
from uuid import UUID

from litestar import Controller, Request, Response, post, route
from litestar.exceptions import ClientException
from litestar.params import FromPath
from litestar.status_codes import HTTP_200_OK
from litestar.types import ExceptionHandlersMap

from apps.api.dependencies import container_of
from apps.api.middleware.routes import vendor_calls
from apps.container import Container
from core.sessions import rooms as room_rules
from core.sessions.rooms import RoomRefused
from ports.multiplayer import InvalidRoomTicket, MultiplayerRooms, RoomAddress

log = logging.getLogger(__name__)

AUTH_OK, AUTH_FAILED, AUTH_BAD_PARAMETERS = 1, 2, 3
HOOK_OK, HOOK_UNAUTHENTICATED, HOOK_MALFORMED, HOOK_REFUSED = 0, 1, 2, 3

_LEAVE_TYPES = frozenset(
    {
        "ClientDisconnect",
        "ClientTimeoutDisconnect",
        "ManagedDisconnect",
        "ServerDisconnect",
        "TimeoutDisconnect",
        "LeaveRequest",
        "PlayerTtlTimedOut",
        "PeerLastTouchTimedout",
        "PluginRequest",
        "PluginFailure",
    }
)
WEBHOOK_TYPES: dict[str, frozenset[str]] = {
    "GameCreate": frozenset({"Create", "Load"}),
    "GameBeforeJoin": frozenset({"BeforeJoin"}),
    "GameJoin": frozenset({"Join"}),
    "GameLeave": _LEAVE_TYPES,
    "GameEvent": frozenset({"Event"}),
    "GameProperties": frozenset({"Game", "Actor"}),
    "GameClose": frozenset({"Close", "Save"}),
}

MAX_ACTOR = 2**31 - 1
"""Photon numbers a room's actors with positive 32-bit integers."""

Answer = dict[str, Any]


def _photon_failure(code: int) -> ExceptionHandlersMap:
    """Photon's JSON, with ``code``, for a call the framework refuses before the handler
    (a body too large): Photon reads nothing else. Server errors stay 5xx, which Photon
    takes as a failure to retry, not as a refusal."""

    def answer(_: Request[Any, Any, Any], exc: ClientException) -> Response[Answer]:
        return Response(_failure(code, str(exc.detail)), status_code=HTTP_200_OK)

    return {ClientException: answer}


class PhotonController(Controller):
    path = "/photon"
    tags = ["photon"]
    opt = vendor_calls()

    @route(
        "/auth",
        http_method=["GET", "POST"],
        status_code=200,
        summary="Photon custom authentication (called by Photon)",
        description="Checks the join ticket a client sent as `token`; answers in Photon's "
        "format with HTTP 200, ResultCode 1 (ok), 2 (refused) or 3 (bad parameters).",
        exception_handlers=_photon_failure(AUTH_BAD_PARAMETERS),
    )
    async def authenticate(self, request: Request[Any, Any, Any]) -> Answer:
        try:
            parameters = await _auth_parameters(request)
        except ValueError as exc:
            return _failure(AUTH_BAD_PARAMETERS, str(exc))
        token = parameters.get("token")
        if not isinstance(token, str) or not token:
            return _failure(AUTH_BAD_PARAMETERS, "the token parameter is missing")
        try:
            return await _admit(container_of(request), token, parameters.get("tenant"))
        except (InvalidRoomTicket, RoomRefused) as exc:
            return _failure(AUTH_FAILED, str(exc))
        except Exception:
            log.exception("photon custom authentication failed")
            return _failure(AUTH_FAILED, "authentication is unavailable, try again")

    @post(
        "/webhooks/{hook:str}",
        status_code=200,
        summary="Photon room webhook (called by Photon)",
        description="Set `<api>/photon/webhooks` as BaseUrl and the secret custom header "
        "in Photon's dashboard; answers Photon's JSON, ResultCode 0 when accepted.",
        exception_handlers=_photon_failure(HOOK_MALFORMED),
    )
    async def webhook(self, request: Request[Any, Any, Any], hook: FromPath[str]) -> Answer:
        container = container_of(request)
        if not _authentic(request, container):
            return _failure(HOOK_UNAUTHENTICATED, "not authenticated")
        if hook not in WEBHOOK_TYPES:
            return _failure(HOOK_MALFORMED, f"unknown webhook path {hook!r}")
        try:
            call = _webhook_call(await request.body(), hook)
        except ValueError as exc:
            return _failure(HOOK_MALFORMED, str(exc))
        app_id = container.settings().photon.app_id
        if app_id is not None and call["AppId"] != app_id:
            return _failure(HOOK_REFUSED, "the call is for another Photon application")
        try:
            await _apply(container, hook, call)
        except RoomRefused as exc:
            return _failure(HOOK_REFUSED, str(exc))
        except Exception:
            log.exception("photon webhook %s failed", hook)
            return _failure(HOOK_REFUSED, "the webhook could not be handled, try again")
        return {"ResultCode": HOOK_OK}


async def _admit(container: Container, token: str, tenant: object) -> Answer:
    rooms = cast("MultiplayerRooms", container.multiplayer())
    ticket = rooms.verify_ticket(token)
    if tenant is not None and tenant != str(ticket.tenant_id):
        named = await container.catalog().find_by_slug(str(tenant))
        if named is None or named.id != ticket.tenant_id:
            raise RoomRefused("the ticket was issued for another tenant")
    room = RoomAddress(ticket.tenant_id, ticket.session_id)
    member = await room_rules.admit_to_room(
        room, ticket.participant_id, container.room_dependencies()
    )
    participant = member.participant
    return {
        "ResultCode": AUTH_OK,
        "UserId": str(participant.id),
        "Nickname": participant.display_name or participant.role.value,
        "AuthCookie": {
            "tenant": str(ticket.tenant_id),
            "session": str(ticket.session_id),
            "participant": str(participant.id),
        },
    }


async def _apply(container: Container, hook: str, call: Mapping[str, Any]) -> None:
    rooms = cast("MultiplayerRooms", container.multiplayer())
    room = rooms.room_address(call["GameId"])
    if room is None:
        raise RoomRefused("not a room of this platform")
    cookie = call.get("AuthCookie")
    if isinstance(cookie, dict) and cookie.get("tenant") not in (None, str(room.tenant_id)):
        raise RoomRefused("the player belongs to another tenant")
    deps = container.room_dependencies()
    if hook == "GameClose":
        await room_rules.room_closed(room, deps)
        return
    participant_id = _uuid(call["UserId"])
    if participant_id is None:
        raise RoomRefused("the player is not a participant of this session")
    if hook in ("GameCreate", "GameJoin") and call["Type"] != "Load":
        await room_rules.entered_room(room, participant_id, call["ActorNr"], deps)
    elif hook == "GameLeave" and call.get("IsInactive") is not True:
        await room_rules.left_room(room, participant_id, deps)
    elif hook == "GameLeave":
        await room_rules.find_member(room, participant_id, deps, present_only=False)
    else:
        await room_rules.find_member(room, participant_id, deps, present_only=True)


async def _auth_parameters(request: Request[Any, Any, Any]) -> dict[str, Any]:
    parameters: dict[str, Any] = dict(request.query_params)
    if request.method == "POST":
        raw = await request.body()
        if raw.strip():
            try:
                body = json.loads(raw)
            except (ValueError, RecursionError) as exc:
                raise ValueError("the body is not JSON") from exc
            if not isinstance(body, dict):
                raise ValueError("the body is not a JSON object")
            parameters = body | parameters
    return parameters


def _webhook_call(raw: bytes, hook: str) -> dict[str, Any]:
    try:
        call = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ValueError("the body is not JSON") from exc
    if not isinstance(call, dict):
        raise ValueError("the body is not a JSON object")
    for name in ("AppId", "GameId", "Type"):
        if not isinstance(call.get(name), str) or not call[name]:
            raise ValueError(f"{name} is missing")
    if call["Type"] not in WEBHOOK_TYPES[hook]:
        raise ValueError(f"unknown Type {call['Type']!r} for {hook}")
    if hook != "GameClose":
        if not isinstance(call.get("UserId"), str):
            raise ValueError("UserId is missing")
        actor = call.get("ActorNr")
        if isinstance(actor, bool) or not isinstance(actor, int) or not 0 < actor <= MAX_ACTOR:
            raise ValueError("ActorNr is missing or not an actor number")
    if not isinstance(call.get("IsInactive", False), bool):
        raise ValueError("IsInactive is not a boolean")
    return call


def _authentic(request: Request[Any, Any, Any], container: Container) -> bool:
    settings = container.settings().photon
    secret = settings.webhook_secret
    given = request.headers.get(settings.webhook_header)
    if secret is None or given is None:
        return False
    return hmac.compare_digest(given.encode(), secret.get_secret_value().encode())


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def _failure(code: int, message: str) -> Answer:
    """Photon's refusal: a non-zero ResultCode and a Message for its logs."""
    return {"ResultCode": code, "Message": message}
