"""Which action of the policy each authenticated tenant route performs.

``provide_actor`` checks the route's action for every caller before the handler runs; a
route missing here is refused (``route_without_rule``), and the table-driven authorisation
test fails, so a new endpoint cannot slip through unguarded.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from litestar import Request

from core.errors import Forbidden
from core.identity.model import Actor
from core.identity.permissions import Action, authorize
from plugins.routes import ROUTE_RULE, RouteRule

A = Action
_SESSION = "/api/v1/sessions/{session_id}"
_FILE = "/api/v1/files/{file_id}"
_WORDING = "/api/v1/notifications/wordings/{kind}/{channel}/{locale}"
_HOOKS = "/api/v1/webhook-endpoints"
_HOOK = f"{_HOOKS}/{{endpoint_id}}"
ROUTE_ACTIONS: dict[tuple[str, str], Action] = {
    ("GET", "/api/v1/sessions"): A.SESSIONS_LIST,
    ("POST", "/api/v1/sessions"): A.SESSIONS_CREATE,
    ("GET", _SESSION): A.SESSIONS_READ,
    ("PATCH", _SESSION): A.SESSIONS_MANAGE,
    ("POST", f"{_SESSION}/join"): A.SESSIONS_JOIN,
    ("POST", f"{_SESSION}/end"): A.SESSIONS_MANAGE,
    ("POST", f"{_SESSION}/invitations"): A.SESSIONS_INVITE_GUEST,
    ("GET", f"{_SESSION}/invitations"): A.SESSIONS_LIST_INVITATIONS,
    ("POST", f"{_SESSION}/invitations/{{invitation_id}}/revoke"): A.SESSIONS_MANAGE,
    ("POST", f"{_SESSION}/participants/{{participant_id}}/leave"): A.SESSIONS_LEAVE,
    ("GET", f"{_SESSION}/notifications"): A.NOTIFICATIONS_READ,
    ("POST", f"{_SESSION}/accept"): A.SESSIONS_ANSWER_CALL,
    ("POST", f"{_SESSION}/decline"): A.SESSIONS_ANSWER_CALL,
    ("POST", f"{_SESSION}/cancel"): A.SESSIONS_ANSWER_CALL,
    ("GET", f"{_SESSION}/recordings"): A.RECORDINGS_LIST,
    ("POST", f"{_SESSION}/recordings"): A.RECORDINGS_MANAGE,
    ("POST", f"{_SESSION}/recordings/{{recording_id}}/stop"): A.RECORDINGS_MANAGE,
    ("GET", "/api/v1/recording-mode"): A.RECORDING_MODE,
    ("PUT", "/api/v1/recording-mode"): A.RECORDING_MODE,
    ("POST", "/api/v1/calls"): A.CALLS_PLACE,
    ("GET", "/api/v1/call-preferences"): A.CALL_PREFERENCES,
    ("PUT", "/api/v1/call-preferences"): A.CALL_PREFERENCES,
    ("GET", "/api/v1/usage"): A.USAGE_READ,
    ("GET", "/api/v1/notifications/{notification_id}"): A.NOTIFICATIONS_READ,
    ("POST", "/api/v1/notifications/{notification_id}/retry"): A.NOTIFICATIONS_RETRY,
    ("POST", "/api/v1/notifications/preview"): A.NOTIFICATIONS_PREVIEW,
    ("GET", "/api/v1/notifications/wordings"): A.NOTIFICATIONS_CUSTOMISE,
    ("PUT", _WORDING): A.NOTIFICATIONS_CUSTOMISE,
    ("DELETE", _WORDING): A.NOTIFICATIONS_CUSTOMISE,
    ("GET", "/api/v1/notifications/sender"): A.NOTIFICATIONS_CUSTOMISE,
    ("PUT", "/api/v1/notifications/sender"): A.NOTIFICATIONS_CUSTOMISE,
    ("GET", "/api/v1/devices"): A.DEVICES_LIST,
    ("GET", "/api/v1/devices/me"): A.DEVICES_SELF,
    ("GET", "/api/v1/devices/{device_id}"): A.DEVICES_READ,
    ("PATCH", "/api/v1/devices/{device_id}"): A.DEVICES_MANAGE,
    ("POST", "/api/v1/devices/{device_id}/revoke"): A.DEVICES_MANAGE,
    ("POST", "/api/v1/devices/pairings/approve"): A.DEVICES_APPROVE,
    ("POST", "/api/v1/devices/pairings/deny"): A.DEVICES_APPROVE,
    ("POST", "/api/v1/realtime/firebase-token"): A.REALTIME_FOLLOW,
    ("GET", "/api/v1/realtime/events"): A.REALTIME_FOLLOW,
    ("GET", "/api/v1/presence"): A.PRESENCE,
    ("POST", "/api/v1/presence/heartbeat"): A.PRESENCE,
    ("POST", "/api/v1/files"): A.FILES_UPLOAD,
    ("POST", "/api/v1/files/raw"): A.FILES_UPLOAD,
    ("POST", "/api/v1/files/uploads"): A.FILES_UPLOAD,
    ("POST", f"{_FILE}/confirm"): A.FILES_UPLOAD,
    ("GET", "/api/v1/files"): A.FILES_READ,
    ("GET", _FILE): A.FILES_READ,
    ("GET", f"{_FILE}/content"): A.FILES_READ,
    ("PATCH", _FILE): A.FILES_MANAGE,
    ("DELETE", _FILE): A.FILES_MANAGE,
    ("GET", "/api/v1/users"): A.USERS_LIST,
    ("GET", "/api/v1/users/{user_id}"): A.USERS_READ,
    ("POST", "/api/v1/users/invitations"): A.USERS_INVITE,
    ("PATCH", "/api/v1/users/{user_id}"): A.USERS_ADMINISTER,
    ("POST", "/api/v1/users/{user_id}/deactivate"): A.USERS_ADMINISTER,
    ("POST", "/api/v1/users/{user_id}/reactivate"): A.USERS_ADMINISTER,
    ("POST", "/api/v1/users/{user_id}/sign-out"): A.USERS_REVOKE_TOKENS,
    ("GET", "/api/v1/api-keys"): A.API_KEYS_MANAGE,
    ("POST", "/api/v1/api-keys"): A.API_KEYS_MANAGE,
    ("POST", "/api/v1/api-keys/{key_id}/revoke"): A.API_KEYS_MANAGE,
    ("GET", "/api/v1/audit-events"): A.AUDIT_READ,
    ("GET", "/api/v1/audit-events/export.csv"): A.AUDIT_READ,
    ("GET", "/api/v1/retention-policy"): A.RETENTION_POLICY,
    ("PUT", "/api/v1/retention-policy"): A.RETENTION_POLICY,
    ("GET", _HOOKS): A.WEBHOOKS_MANAGE,
    ("POST", _HOOKS): A.WEBHOOKS_MANAGE,
    ("GET", _HOOK): A.WEBHOOKS_MANAGE,
    ("PATCH", _HOOK): A.WEBHOOKS_MANAGE,
    ("DELETE", _HOOK): A.WEBHOOKS_MANAGE,
    ("POST", f"{_HOOK}/rotate-secret"): A.WEBHOOKS_MANAGE,
    ("POST", f"{_HOOK}/test"): A.WEBHOOKS_MANAGE,
    ("GET", f"{_HOOK}/deliveries"): A.WEBHOOKS_MANAGE,
}
_TYPED = re.compile(r"\{(\w+):\w+\}")


def route_of(request: Request[Any, Any, Any]) -> tuple[str, str]:
    """The route as the OpenAPI document names it: method and path without parameter types."""
    template = str(request.scope.get("path_template") or request.url.path)
    return request.method.upper(), _documented_path(template)


@functools.lru_cache(maxsize=1024)
def _documented_path(template: str) -> str:
    """Asked twice per request (audit, authorisation) of a few dozen templates."""
    return _TYPED.sub(r"{\1}", template).rstrip("/") or "/"


def authorize_route(request: Request[Any, Any, Any], actor: Actor) -> None:
    """The platform's routes are listed above; a plugin's route carries its own rule."""
    action = ROUTE_ACTIONS.get(route_of(request))
    if action is not None:
        authorize(actor, action)
        return
    declared = request.route_handler.opt.get(ROUTE_RULE)
    if not isinstance(declared, RouteRule):
        raise Forbidden("this route has no authorisation rule", code="route_without_rule")
    declared.check(actor)
