"""A tenant's session minutes for one month, for its admins."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import Example
from litestar.params import QueryParameter

from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.api.schemas import ResponseBody
from core.identity.model import Actor
from core.tenants.model import Tenant
from core.usage.model import Month, UsageReport
from core.usage.services import usage_for_admin

MonthParam = Annotated[
    str | None,
    QueryParameter(
        description="The month, YYYY-MM (UTC); the current one if left out.",
        pattern=r"^(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(?:0[1-9]|1[0-2])$",
        examples=[Example(value="2026-11")],
        required=False,
    ),
]


class ParticipantUsageOut(ResponseBody):
    participant_id: UUID
    user_id: UUID | None
    role: str
    minutes: int


class SessionUsageOut(ResponseBody):
    session_id: UUID
    minutes: int
    participants: list[ParticipantUsageOut]


class UsageOut(ResponseBody):
    month: str
    minutes: int
    limit: int
    remaining: int
    sessions: list[SessionUsageOut]

    @classmethod
    def of(cls, report: UsageReport) -> UsageOut:
        return cls(
            month=str(report.month),
            minutes=report.minutes,
            limit=report.limit,
            remaining=report.remaining,
            sessions=[
                SessionUsageOut(
                    session_id=s.session_id,
                    minutes=s.minutes,
                    participants=[
                        ParticipantUsageOut(
                            participant_id=p.participant_id,
                            user_id=p.user_id,
                            role=p.role,
                            minutes=p.minutes,
                        )
                        for p in s.participants
                    ],
                )
                for s in report.sessions
            ],
        )


class UsageController(Controller):
    path = "/usage"
    tags = ["usage"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @get(
        "/",
        summary="Session minutes of one month",
        description="Admins. Minutes per session and participant, the total and the plan limit.",
    )
    async def monthly(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        tenant: NamedDependency[Tenant],
        month: MonthParam = None,
    ) -> UsageOut:
        deps = container_of(request).usage_dependencies()
        chosen = Month.parse(month) if month is not None else Month.of(deps.clock.now())
        report = await usage_for_admin(actor, chosen, tenant.limits, deps)
        return UsageOut.of(report)
