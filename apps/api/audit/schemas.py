"""Response and request bodies of the audit log and retention policy endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar.params import KwargDefinition

from apps.api.schemas import RequestBody, ResponseBody
from core.audit.model import AuditEvent
from core.retention.model import MAX_DAYS, MIN_DAYS, RetentionPolicy


class AuditEventOut(ResponseBody):
    """Who (``actor_kind``: user, api_key, device, operator, system; ``actor_id``) did
    what (``action``, a stable dotted name) to what (``target_type``, ``target_id``)."""

    id: UUID
    occurred_at: datetime
    actor_kind: Annotated[str, msgspec.Meta(examples=["user"])]
    actor_id: UUID | None
    action: Annotated[str, msgspec.Meta(examples=["api_key.revoked"])]
    target_type: Annotated[str | None, msgspec.Meta(examples=["api_key"])]
    target_id: str | None
    ip: Annotated[str | None, msgspec.Meta(examples=["203.0.113.7"])]
    request_id: str | None
    details: dict[str, Any]

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(
            id=event.id,
            occurred_at=event.occurred_at,
            actor_kind=event.actor.kind.value,
            actor_id=event.actor.id,
            action=event.action,
            target_type=event.target_type,
            target_id=event.target_id,
            ip=event.ip,
            request_id=event.request_id,
            details=event.details,
        )


class AuditEventPage(ResponseBody):
    items: list[AuditEventOut]
    next_cursor: str | None


_DAYS = f"Days to keep, {MIN_DAYS} to {MAX_DAYS}; null keeps them forever."
Days = Annotated[
    Annotated[int, KwargDefinition(ge=MIN_DAYS, le=MAX_DAYS)] | None,
    msgspec.Meta(description=_DAYS, examples=[365]),
]
"""The range is documented here and checked by the core, which answers 422 naming the
field (msgspec would answer a schema violation with 400)."""


class RetentionPolicyBody(RequestBody):
    """Every period; one out of range answers 422 naming it."""

    ended_sessions_days: Days = None
    files_days: Days = None
    audit_events_days: Days = None
    outbox_days: Days = None

    def policy(self) -> RetentionPolicy:
        return RetentionPolicy(
            ended_sessions_days=self.ended_sessions_days,
            files_days=self.files_days,
            audit_events_days=self.audit_events_days,
            outbox_days=self.outbox_days,
        )


class RetentionPolicyOut(ResponseBody):
    """``ended_sessions_days``: ended sessions with their participants, invitations and
    files; ``files_days``: files by age, except those of open sessions; ``audit_events_days``;
    ``outbox_days``: notifications sent, delivered or dead."""

    ended_sessions_days: int | None
    files_days: int | None
    audit_events_days: int | None
    outbox_days: int | None

    @classmethod
    def of(cls, policy: RetentionPolicy) -> RetentionPolicyOut:
        return cls(
            ended_sessions_days=policy.ended_sessions_days,
            files_days=policy.files_days,
            audit_events_days=policy.audit_events_days,
            outbox_days=policy.outbox_days,
        )
