"""Which requests the audit log records, under which action, about which target.

Keyed like ``ROUTE_ACTIONS`` by method and path template. Session lifecycles (created,
started, joined, left, ended) are not here: the audit log plugin records them from the
lifecycle hooks, which also see the worker's changes. A target is named by a path
parameter, or for a creation by the id in the response (``id_in``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Audited:
    action: str
    target_type: str
    path_param: str | None = None
    id_in: tuple[str, ...] = ("id",)


LOGIN = ("POST", "/api/v1/auth/login")
_SESSION = "/api/v1/sessions/{session_id}"
_FILE = "/api/v1/files/{file_id}"
_USER = "/api/v1/users/{user_id}"
_DEVICE = "/api/v1/devices/{device_id}"
_WORDING = "/api/v1/notifications/wordings/{kind}/{channel}/{locale}"
_SETTINGS = "tenant_settings"

AUDITED: dict[tuple[str, str], Audited] = {
    LOGIN: Audited("auth.signed_in", "user", id_in=()),
    ("POST", "/api/v1/users/invitations"): Audited("user.invited", "user", id_in=("user", "id")),
    ("PATCH", _USER): Audited("user.updated", "user", "user_id"),
    ("POST", f"{_USER}/deactivate"): Audited("user.disabled", "user", "user_id"),
    ("POST", f"{_USER}/reactivate"): Audited("user.reactivated", "user", "user_id"),
    ("POST", f"{_USER}/sign-out"): Audited("user.signed_out", "user", "user_id"),
    ("POST", "/api/v1/api-keys"): Audited("api_key.created", "api_key", id_in=("key", "id")),
    ("POST", "/api/v1/api-keys/{key_id}/revoke"): Audited("api_key.revoked", "api_key", "key_id"),
    ("POST", "/api/v1/devices/pairings/approve"): Audited(
        "device.approved", "device", id_in=("device_id",)
    ),
    ("POST", "/api/v1/devices/pairings/deny"): Audited("device.denied", "device", id_in=()),
    ("PATCH", _DEVICE): Audited("device.updated", "device", "device_id"),
    ("POST", f"{_DEVICE}/revoke"): Audited("device.revoked", "device", "device_id"),
    ("PATCH", _SESSION): Audited("session.updated", "session", "session_id"),
    ("POST", f"{_SESSION}/invitations"): Audited("session.guest_invited", "invitation"),
    ("POST", f"{_SESSION}/invitations/{{invitation_id}}/revoke"): Audited(
        "session.invitation_revoked", "invitation", "invitation_id"
    ),
    ("POST", f"{_SESSION}/recordings"): Audited("recording.started", "recording"),
    ("POST", f"{_SESSION}/recordings/{{recording_id}}/stop"): Audited(
        "recording.stopped", "recording", "recording_id"
    ),
    ("POST", "/api/v1/files"): Audited("file.uploaded", "file"),
    ("POST", "/api/v1/files/raw"): Audited("file.uploaded", "file"),
    ("POST", f"{_FILE}/confirm"): Audited("file.uploaded", "file", "file_id"),
    ("PATCH", _FILE): Audited("file.attached", "file", "file_id"),
    ("DELETE", _FILE): Audited("file.deleted", "file", "file_id"),
    ("POST", "/api/v1/notifications/{notification_id}/retry"): Audited(
        "notification.retried", "notification", "notification_id"
    ),
    ("PUT", "/api/v1/recording-mode"): Audited("settings.recording_mode_changed", _SETTINGS),
    ("PUT", "/api/v1/notifications/sender"): Audited("settings.sender_changed", _SETTINGS),
    ("PUT", _WORDING): Audited("settings.wording_changed", _SETTINGS, "kind"),
    ("DELETE", _WORDING): Audited("settings.wording_reset", _SETTINGS, "kind"),
    ("PUT", "/api/v1/retention-policy"): Audited("settings.retention_changed", _SETTINGS),
    ("PUT", "/api/v1/call-preferences"): Audited("user.call_preferences_changed", "user"),
}
"""Every mutating tenant route that changes security or business state."""
