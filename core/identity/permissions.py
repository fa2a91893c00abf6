"""Who may do what, in one place: every action a tenant endpoint performs, and its rule.

A rule names the roles allowed, the capability needed on top of the role, the API-key scope
that opens it to integrations (none: keys may not), whether a paired device may do it, and
the ownership rule the use case applies to the object. The API checks the route's action
before the use case runs (``authorize`` without an owner); use cases that touch an object
owned by someone check again with its owner (``authorize`` with ``owner_id``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from core.errors import Forbidden
from core.identity.credentials import ApiScope
from core.identity.model import Actor, Capability, PrincipalKind, Role

EVERYONE = frozenset(Role)
ADMINS = frozenset({Role.ADMIN})
WORKERS = frozenset({Role.ADMIN, Role.EXPERT, Role.FIELD_ENGINEER})


class Action(StrEnum):
    SESSIONS_LIST = "sessions.list"
    SESSIONS_READ = "sessions.read"
    SESSIONS_CREATE = "sessions.create"
    SESSIONS_JOIN = "sessions.join"
    SESSIONS_MANAGE = "sessions.manage"
    SESSIONS_LEAVE = "sessions.leave"
    SESSIONS_INVITE_GUEST = "sessions.invite_guest"
    SESSIONS_LIST_INVITATIONS = "sessions.list_invitations"
    SESSIONS_ANSWER_CALL = "sessions.answer_call"
    RECORDINGS_LIST = "recordings.list"
    RECORDINGS_MANAGE = "recordings.manage"
    RECORDING_MODE = "recording_mode"
    CALLS_PLACE = "calls.place"
    CALL_PREFERENCES = "call_preferences.own"
    USAGE_READ = "usage.read"
    NOTIFICATIONS_READ = "notifications.read"
    NOTIFICATIONS_RETRY = "notifications.retry"
    NOTIFICATIONS_PREVIEW = "notifications.preview"
    NOTIFICATIONS_CUSTOMISE = "notifications.customise"
    DEVICES_LIST = "devices.list"
    DEVICES_READ = "devices.read"
    DEVICES_MANAGE = "devices.manage"
    DEVICES_SELF = "devices.self"
    DEVICES_APPROVE = "devices.approve"
    REALTIME_FOLLOW = "realtime.follow"
    PRESENCE = "presence"
    USERS_LIST = "users.list"
    USERS_READ = "users.read"
    USERS_INVITE = "users.invite"
    USERS_ADMINISTER = "users.administer"
    USERS_REVOKE_TOKENS = "users.revoke_tokens"
    API_KEYS_MANAGE = "api_keys.manage"
    FILES_READ = "files.read"
    FILES_UPLOAD = "files.upload"
    FILES_MANAGE = "files.manage"
    AUDIT_READ = "audit.read"
    RETENTION_POLICY = "retention_policy"
    WEBHOOKS_MANAGE = "webhooks.manage"


@dataclass(frozen=True, slots=True)
class Rule:
    roles: frozenset[Role]
    scope: ApiScope | None = None
    capability: Capability | None = None
    devices: bool = True
    owner_may: bool = False
    """The owner of the object may do it whatever their role (checked by the use case)."""
    ownership: str = ""
    """The ownership rule the use case enforces on the object, in words."""


POLICY: dict[Action, Rule] = {
    Action.SESSIONS_LIST: Rule(EVERYONE, ApiScope.SESSIONS_READ),
    Action.SESSIONS_READ: Rule(EVERYONE, ApiScope.SESSIONS_READ),
    Action.SESSIONS_CREATE: Rule(
        EVERYONE, ApiScope.SESSIONS_WRITE, Capability.HOST, ownership="the creator hosts it"
    ),
    Action.SESSIONS_JOIN: Rule(EVERYONE, ApiScope.SESSIONS_WRITE, ownership="role in the call"),
    Action.SESSIONS_MANAGE: Rule(
        EVERYONE, ApiScope.SESSIONS_WRITE, ownership="the session's host or an admin"
    ),
    Action.SESSIONS_LEAVE: Rule(EVERYONE, ApiScope.SESSIONS_WRITE, ownership="the participant"),
    Action.SESSIONS_INVITE_GUEST: Rule(
        EVERYONE,
        ApiScope.SESSIONS_WRITE,
        Capability.INVITE_GUESTS,
        ownership="the session's host or an admin",
    ),
    Action.SESSIONS_LIST_INVITATIONS: Rule(
        EVERYONE, ApiScope.SESSIONS_READ, ownership="the session's host or an admin"
    ),
    Action.SESSIONS_ANSWER_CALL: Rule(
        EVERYONE, ApiScope.SESSIONS_WRITE, ownership="the person called (or the caller)"
    ),
    Action.RECORDINGS_LIST: Rule(EVERYONE, ApiScope.SESSIONS_READ),
    Action.RECORDINGS_MANAGE: Rule(EVERYONE, ApiScope.SESSIONS_WRITE, Capability.RECORD),
    Action.RECORDING_MODE: Rule(ADMINS, devices=False),
    Action.CALLS_PLACE: Rule(EVERYONE, ApiScope.SESSIONS_WRITE, Capability.HOST),
    Action.CALL_PREFERENCES: Rule(EVERYONE, ownership="the caller's own"),
    Action.USAGE_READ: Rule(ADMINS, devices=False),
    Action.NOTIFICATIONS_READ: Rule(
        EVERYONE, ApiScope.NOTIFICATIONS_READ, ownership="sessions the caller may see"
    ),
    Action.NOTIFICATIONS_RETRY: Rule(ADMINS, ApiScope.NOTIFICATIONS_WRITE, devices=False),
    Action.NOTIFICATIONS_PREVIEW: Rule(ADMINS, ApiScope.NOTIFICATIONS_READ, devices=False),
    Action.NOTIFICATIONS_CUSTOMISE: Rule(ADMINS, ApiScope.NOTIFICATIONS_WRITE, devices=False),
    Action.DEVICES_LIST: Rule(
        EVERYONE, ApiScope.DEVICES_READ, ownership="admins see all, others their own"
    ),
    Action.DEVICES_READ: Rule(EVERYONE, ApiScope.DEVICES_READ, ownership="owner or an admin"),
    Action.DEVICES_MANAGE: Rule(EVERYONE, ApiScope.DEVICES_WRITE, ownership="owner or an admin"),
    Action.DEVICES_SELF: Rule(EVERYONE, ownership="the device itself"),
    Action.DEVICES_APPROVE: Rule(
        EVERYONE, devices=False, ownership="for oneself; an admin may take over a device"
    ),
    Action.REALTIME_FOLLOW: Rule(EVERYONE, ownership="own channels and sessions taken part in"),
    Action.PRESENCE: Rule(EVERYONE, ownership="one's own presence; anyone's is visible"),
    Action.USERS_LIST: Rule(EVERYONE, ApiScope.USERS_READ),
    Action.USERS_READ: Rule(EVERYONE, ApiScope.USERS_READ),
    Action.USERS_INVITE: Rule(ADMINS, ApiScope.USERS_WRITE, devices=False),
    Action.USERS_ADMINISTER: Rule(
        ADMINS, ApiScope.USERS_WRITE, devices=False, ownership="never the last active admin"
    ),
    Action.USERS_REVOKE_TOKENS: Rule(
        ADMINS, ApiScope.USERS_WRITE, devices=False, owner_may=True, ownership="oneself or admin"
    ),
    Action.API_KEYS_MANAGE: Rule(ADMINS, devices=False),
    Action.FILES_READ: Rule(EVERYONE, ApiScope.SESSIONS_READ),
    Action.FILES_UPLOAD: Rule(WORKERS, ApiScope.SESSIONS_WRITE),
    Action.FILES_MANAGE: Rule(
        EVERYONE, ApiScope.SESSIONS_WRITE, ownership="the uploader or an admin"
    ),
    Action.AUDIT_READ: Rule(ADMINS, devices=False),
    Action.RETENTION_POLICY: Rule(ADMINS, devices=False),
    Action.WEBHOOKS_MANAGE: Rule(ADMINS, devices=False),
}


def authorize(actor: Actor, action: Action, *, owner_id: UUID | None = None) -> None:
    """Raise Forbidden with a stable code unless the rule of ``action`` lets ``actor`` do it.

    Without ``owner_id`` (the check before the use case), an action the owner may do is let
    through for any role: the use case checks again once it knows the owner.
    """
    rule = POLICY[action]
    if actor.kind is PrincipalKind.API_KEY:
        if rule.scope is None or rule.scope.value not in (actor.scopes or frozenset()):
            needed = rule.scope.value if rule.scope else "a user's credentials"
            raise Forbidden(f"this API key lacks {needed}", code="scope_missing")
        return
    if actor.kind is PrincipalKind.DEVICE and not rule.devices:
        raise Forbidden("a device may not do this; sign in as a user", code="device_not_allowed")
    owner_passes = rule.owner_may and (owner_id is None or owner_id == actor.user_id)
    if actor.role not in rule.roles and not owner_passes:
        raise Forbidden(f"a {actor.role.value} may not do this", code="role_not_allowed")
    if rule.capability is not None and not actor.may(rule.capability):
        raise Forbidden(
            f"this needs the {rule.capability.value} capability", code="capability_missing"
        )


def allows(actor: Actor, action: Action, *, owner_id: UUID | None = None) -> bool:
    try:
        authorize(actor, action, owner_id=owner_id)
    except Forbidden:
        return False
    return True
