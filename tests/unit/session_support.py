"""Helpers for the session unit tests: people of one tenant, and dependencies that record
the realtime events published."""

from __future__ import annotations

import uuid

from adapters.devvideo.video_provider import DevelopmentVideoProvider
from adapters.memory.clock import FixedClock
from adapters.memory.event_publisher import InProcessEventPublisher
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.identity.model import Actor, Role, User
from core.sessions.rules import SessionRules
from core.sessions.services import SessionDependencies

TENANT = uuid.UUID("00000000-0000-4000-8000-00000000000b")


def person(
    uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock, role: Role, name: str = ""
) -> Actor:
    user = User(
        id=uuid.uuid4(),
        email=f"{uuid.uuid4().hex[:8]}@acme.example",
        display_name=name or f"{role.value} person",
        role=role,
        password_hash="x",
        created_at=clock.now(),
    )
    uow.data(TENANT).users[user.id] = user
    return Actor(tenant_id=TENANT, user_id=user.id, role=role)


def recorded_deps(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    video: DevelopmentVideoProvider,
    events: InProcessEventPublisher,
    rules: SessionRules | None = None,
) -> SessionDependencies:
    return SessionDependencies(
        tenant_uow=uow,
        video=video,
        clock=clock,
        events=events,
        rules=rules or SessionRules(),
        public_url="https://acme.passerelle.test",
    )
