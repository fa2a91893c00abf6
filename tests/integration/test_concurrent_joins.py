"""Joins of one session at the same moment, on each database: the session's lock lets in
exactly as many as the participant limit allows, creates one video room, and the meter
counts each newcomer once. Also for a session created before sessions had a meter from
the start, which a join reads in two statements (``adapters/sql/admissions.py``)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from apps.container import Container
from core.identity.model import Actor
from core.sessions.rules import SessionFull, SessionRules
from core.sessions.services import JoinResult, create_session, join_session
from core.tenants.services import CreateTenant, create_tenant
from tests.integration.conftest import ADMIN_PASSWORD

LIMIT = 3
ATTEMPTS = 8


@pytest.mark.parametrize("metered", [True, False], ids=["metered", "created_before_meters"])
async def test_joins_at_the_same_moment_fill_the_session_to_its_limit_and_no_further(
    container: Container, metered: bool
) -> None:
    tenant, admin = await create_tenant(
        CreateTenant("acme", "ACME", "admin@acme.example", ADMIN_PASSWORD, "Ada"),
        container.tenant_dependencies(),
        actor="tests",
    )
    actor = Actor.for_user(tenant.id, admin)
    deps = replace(container.session_dependencies(), rules=SessionRules(max_participants=LIMIT))
    session = await create_session(actor, "Crowded", tenant.limits, deps)
    if not metered:
        async with deps.tenant_uow(tenant.id) as uow:
            await uow.usage.settle(session.id, {})
            await uow.commit()

    outcomes = await asyncio.gather(
        *(join_session(actor, session.id, tenant.limits, deps) for _ in range(ATTEMPTS)),
        return_exceptions=True,
    )

    joined = [o for o in outcomes if isinstance(o, JoinResult)]
    refused = [o for o in outcomes if not isinstance(o, JoinResult)]
    assert len(joined) == LIMIT
    assert all(isinstance(error, SessionFull) for error in refused), refused
    assert len({result.video.room_id for result in joined}) == 1
    async with deps.tenant_uow(tenant.id) as uow:
        present = await uow.participants.list_for_session(session.id)
        meter = await uow.usage.meter(session.id)
    assert sorted(p.id for p in present) == sorted(result.participant.id for result in joined)
    assert meter is not None
    assert meter.present == LIMIT
