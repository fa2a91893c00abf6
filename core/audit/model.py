"""Audit events: one row per security- or business-relevant change in a tenant.

An event names its actor (a user, an API key, a device, an operator, or the system when
no caller is behind it: the worker ending an idle session), a stable dotted action
(``session.created``, ``api_key.revoked``), its target, and where the request came from.
Details are small and never hold secrets: only allow-listed keys survive ``clean_details``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from core.identity.model import Actor, PrincipalKind

MAX_DETAIL_TEXT = 200
MAX_DETAIL_ITEMS = 20
DETAIL_KEYS = frozenset(
    {
        "capabilities",
        "channel",
        "content_type",
        "display_name",
        "email",
        "fields",
        "kind",
        "locale",
        "mode",
        "name",
        "reason",
        "role",
        "scopes",
        "session_id",
        "size",
        "state",
        "status",
        "user_id",
        "host_id",
        "participant_id",
        "ended_sessions_days",
        "files_days",
        "audit_events_days",
        "outbox_days",
    }
)
"""The only detail keys kept: names and settings, never passwords, tokens or key hashes."""


class ActorKind(StrEnum):
    USER = "user"
    API_KEY = "api_key"
    DEVICE = "device"
    OPERATOR = "operator"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class AuditActor:
    kind: ActorKind
    id: UUID | None = None

    @classmethod
    def of(cls, actor: Actor) -> AuditActor:
        """The principal that acted: the key or device itself, not the user behind it."""
        if actor.kind is PrincipalKind.API_KEY and actor.api_key_id is not None:
            return cls(ActorKind.API_KEY, actor.api_key_id)
        if actor.kind is PrincipalKind.DEVICE and actor.device_id is not None:
            return cls(ActorKind.DEVICE, actor.device_id)
        return cls(ActorKind.USER, actor.user_id)


SYSTEM = AuditActor(ActorKind.SYSTEM)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """What happened, as the code that saw it says it; ``record`` stamps id and time."""

    actor: AuditActor
    action: str
    target_type: str | None = None
    target_id: str | None = None
    ip: str | None = None
    request_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: UUID
    occurred_at: datetime
    actor: AuditActor
    action: str
    target_type: str | None
    target_id: str | None
    ip: str | None
    request_id: str | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Every field optional; ``action`` matches as a prefix (``user.`` or ``user.invited``),
    ``since`` is inclusive and ``until`` exclusive: a window ending before it starts
    holds nothing (not an error: a client sliding a window may well ask for one)."""

    actor_id: UUID | None = None
    action: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def clean_details(details: dict[str, Any]) -> dict[str, Any]:
    """Allow-listed keys only, with short scalar values or short lists of them."""
    cleaned: dict[str, Any] = {}
    for key, value in details.items():
        if key in DETAIL_KEYS:
            kept = _small(value)
            if kept is not None:
                cleaned[key] = kept
    return cleaned


def _small(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str | UUID):
        return str(value)[:MAX_DETAIL_TEXT]
    if isinstance(value, list | tuple | set | frozenset):
        items = [_small(item) for item in sorted(value, key=str)][:MAX_DETAIL_ITEMS]
        return [item for item in items if not isinstance(item, dict | list)]
    return None
