"""A tenant with one admin, on in-memory adapters, for the identity use cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from adapters.memory.clock import FixedClock
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.identity.dependencies import IdentityDependencies
from core.identity.model import Actor, Role, User, UserStatus
from tests.unit.conftest import PlainHasher

TENANT = uuid.UUID("00000000-0000-4000-8000-000000000001")
PASSWORD = "a long enough passphrase"


@dataclass
class World:
    deps: IdentityDependencies
    uow: MemoryTenantUnitOfWorkFactory
    clock: FixedClock
    admin: Actor

    async def add_user(
        self, email: str, role: Role = Role.EXPERT, status: UserStatus = UserStatus.ACTIVE
    ) -> User:
        user = User(
            id=uuid.uuid4(),
            email=email,
            display_name=email.split("@")[0].title(),
            role=role,
            password_hash="plain:" + PASSWORD,
            created_at=self.clock.now(),
            status=status,
        )
        self.uow.data(TENANT).users[user.id] = user
        return user

    def user(self, user_id: uuid.UUID) -> User:
        return self.uow.data(TENANT).users[user_id]


async def make_world(clock: FixedClock, uow: MemoryTenantUnitOfWorkFactory) -> World:
    deps = IdentityDependencies(
        tenant_uow=uow, hasher=PlainHasher(), clock=clock, public_url="https://acme.example"
    )
    world = World(deps, uow, clock, admin=Actor(TENANT, uuid.uuid4(), Role.ADMIN))
    admin = await world.add_user("ada@acme.example", Role.ADMIN)
    world.admin = Actor.for_user(TENANT, admin)
    return world
