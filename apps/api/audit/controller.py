"""The audit log (admins): list with filters and cursor, or export as CSV; the retention
policy (admins): read and set."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, put
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import OpenAPIFormat
from litestar.params import JSONBody, QueryParameter
from litestar.response import Stream

from apps.api.audit.schemas import (
    AuditEventOut,
    AuditEventPage,
    RetentionPolicyBody,
    RetentionPolicyOut,
)
from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, encode_cursor, page_request
from core.audit.export import csv_lines
from core.audit.model import AuditFilter
from core.audit.services import export_events, list_events
from core.errors import InvalidInput
from core.identity.model import Actor
from core.retention.services import retention_policy, set_retention_policy

ActorParam = Annotated[
    UUID | None, QueryParameter(description="Only this actor's events.", required=False)
]
ActionParam = Annotated[
    str | None,
    QueryParameter(
        description="Action prefix: `user.` or `user.invited`.",
        min_length=1,
        max_length=100,
        required=False,
    ),
]
TargetParam = Annotated[
    str | None,
    QueryParameter(description="Only events on this target id.", max_length=100, required=False),
]
SinceParam = Annotated[
    str | None,
    QueryParameter(
        description="Events at or after this instant (ISO 8601; UTC without a zone).",
        format=OpenAPIFormat.DATE_TIME,
        max_length=64,
        required=False,
    ),
]
UntilParam = Annotated[
    str | None,
    QueryParameter(
        description="Events before this instant (ISO 8601; UTC without a zone).",
        format=OpenAPIFormat.DATE_TIME,
        max_length=64,
        required=False,
    ),
]
_LEAP_SECOND = re.compile(r"(T\d\d:\d\d):60")


def provide_filter(
    actor: NamedDependency[Actor],
    actor_id: ActorParam = None,
    action: ActionParam = None,
    target_id: TargetParam = None,
    since: SinceParam = None,
    until: UntilParam = None,
) -> AuditFilter:
    """The list's and the export's shared filters, from the query; read once the caller
    is known (``actor``), so a stranger hears 401 before any complaint about a filter."""
    return AuditFilter(
        actor_id=actor_id,
        action=action,
        target_id=target_id,
        since=_instant(since, "since"),
        until=_instant(until, "until"),
    )


def _instant(text: str | None, name: str) -> datetime | None:
    """An ISO 8601 instant in UTC (one without a zone is UTC); a leap second counts as the
    second before it, and an instant past the calendar's ends as that end."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(_LEAP_SECOND.sub(r"\1:59", text.strip().upper()))
    except ValueError as exc:
        raise InvalidInput(
            f"{name} is not an ISO 8601 instant", field=name, code="invalid_instant"
        ) from exc
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        edge = datetime.max if moment.year > 1 else datetime.min
        return edge.replace(tzinfo=UTC)


class AuditEventController(Controller):
    path = "/audit-events"
    tags = ["audit"]
    security = [{"BearerAuth": []}]
    dependencies = {
        "tenant": Provide(provide_tenant),
        "actor": Provide(provide_actor),
        "criteria": Provide(provide_filter, sync_to_thread=False),
    }

    @get("/", summary="The tenant's audit log, newest first (admins)")
    async def list_audit_events(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        criteria: NamedDependency[AuditFilter],
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> AuditEventPage:
        deps = container_of(request).audit_dependencies()
        page = await list_events(actor, criteria, page_request(cursor, limit), deps)
        return AuditEventPage(
            items=[AuditEventOut.of(e) for e in page.items], next_cursor=encode_cursor(page.next)
        )

    @get(
        "/export.csv",
        summary="The audit log as CSV (admins)",
        description="Same filters as the list, every matching event newest first, streamed "
        "with a header row. Cells a spreadsheet would read as a formula start with `'`.",
        media_type="text/csv",
        response_description="CSV with a header row",
    )
    async def export_audit_events(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        criteria: NamedDependency[AuditFilter],
    ) -> Stream:
        deps = container_of(request).audit_dependencies()
        events = export_events(actor, criteria, deps)
        return Stream(
            _encoded(csv_lines(events)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit-events.csv"'},
        )


async def _encoded(lines: AsyncIterator[str]) -> AsyncIterator[bytes]:
    async for line in lines:
        yield line.encode()


class RetentionPolicyController(Controller):
    path = "/retention-policy"
    tags = ["retention"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @get("/", summary="The tenant's retention policy (admins)")
    async def read_retention_policy(
        self, request: Request[Any, Any, Any], actor: NamedDependency[Actor]
    ) -> RetentionPolicyOut:
        deps = container_of(request).retention_dependencies()
        return RetentionPolicyOut.of(await retention_policy(actor, deps))

    @put(
        "/",
        summary="Set the tenant's retention policy (admins)",
        description="Every period at once; a field left out or null keeps that kind forever. "
        "The worker purges what is older, tenant by tenant, at its next run.",
    )
    async def set_retention_policy(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RetentionPolicyBody],
        actor: NamedDependency[Actor],
    ) -> RetentionPolicyOut:
        deps = container_of(request).retention_dependencies()
        return RetentionPolicyOut.of(await set_retention_policy(actor, data.policy(), deps))
