"""Use cases on usage: the monthly report an admin or an operator reads."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from core.errors import Forbidden
from core.identity.model import Actor, Role
from core.tenants.model import PlanLimits
from core.usage.model import Month, UsageReport, session_usage
from ports.clock import Clock
from ports.session_store import SessionUnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class UsageDependencies:
    tenant_uow: SessionUnitOfWorkFactory
    clock: Clock


async def usage_for_admin(
    actor: Actor, month: Month, limits: PlanLimits, deps: UsageDependencies
) -> UsageReport:
    """Only a tenant's admins see what every session cost."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("only admins may read usage", code="admin_required")
    return await monthly_usage(actor.tenant_id, month, limits, deps)


async def monthly_usage(
    tenant_id: UUID, month: Month, limits: PlanLimits, deps: UsageDependencies
) -> UsageReport:
    """Minutes per session and participant within the month; a session still running
    counts until now, one spanning two months counts in each for its part."""
    end = min(month.end, deps.clock.now())
    async with deps.tenant_uow(tenant_id) as uow:
        present = await uow.participants.present_between(month.start, month.end)
    sessions = tuple(session_usage(present, month.start, end))
    return UsageReport(
        month=month,
        minutes=sum(s.minutes for s in sessions),
        limit=limits.monthly_session_minutes,
        sessions=sessions,
    )
