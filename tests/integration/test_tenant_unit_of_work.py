"""The SQL tenant unit of work: one transaction that its repositories (SQLAlchemy's
statements and the driver's alike, savepoints included) share, rolled back unless
committed, committed once, its connection given back in its default mode."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from adapters.aesgcm.sealer import AesGcmSealer, new_key, parse_keys
from adapters.sql.engines import TenantEngines
from adapters.sql.migrator import History, upgrade
from adapters.sql.tenant_tables import users
from adapters.sql.unit_of_work import SqlTenantUnitOfWorkFactory
from core.errors import Conflict
from core.identity.model import Role, User
from tests.conftest import Database
from tests.support.sessions import created_session

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
TENANT = uuid.uuid4()


@pytest.fixture
async def engines(database: Database) -> AsyncIterator[TenantEngines]:
    engines = TenantEngines(lambda _tenant: make_url(database.url), pool_size=1, max_overflow=0)
    await upgrade(engines.get(TENANT), History.TENANT)
    yield engines
    await engines.dispose()


@pytest.fixture
def unit(engines: TenantEngines) -> SqlTenantUnitOfWorkFactory:
    return SqlTenantUnitOfWorkFactory(engines, AesGcmSealer(parse_keys(new_key())))


def _user(email: str) -> User:
    return User(uuid.uuid4(), email, "Ada", Role.EXPERT, "x", NOW)


async def test_what_is_not_committed_is_rolled_back(unit: SqlTenantUnitOfWorkFactory) -> None:
    host = _user("host@acme.example")
    session = created_session(host.id, NOW)
    async with unit(TENANT) as uow:
        await uow.users.add(host)
        await uow.sessions.add(session)
        assert await uow.sessions.get(session.id, for_update=True) == session
    async with unit(TENANT) as uow:
        assert await uow.sessions.get(session.id) is None
        assert await uow.users.get(host.id) is None


async def test_statements_of_both_kinds_and_savepoints_share_the_transaction(
    unit: SqlTenantUnitOfWorkFactory,
) -> None:
    host = _user("host@acme.example")
    session = created_session(host.id, NOW)
    async with unit(TENANT) as uow:
        await uow.users.add(host)
        with pytest.raises(Conflict):  # a savepoint rolled back, the transaction still usable
            await uow.users.add(_user("host@acme.example"))
        await uow.sessions.add(session)
        assert await uow.sessions.get(session.id, for_update=True) == session
        await uow.commit()
    async with unit(TENANT) as uow:
        assert await uow.sessions.get(session.id) == session
        assert await uow.users.get(host.id) == host


async def test_a_unit_of_work_commits_once_and_is_spent_after(
    unit: SqlTenantUnitOfWorkFactory,
) -> None:
    host = _user("host@acme.example")
    async with unit(TENANT) as uow:
        await uow.users.add(host)
        await uow.commit()
        with pytest.raises(sa.exc.SQLAlchemyError):
            await uow.users.get(host.id)
        with pytest.raises(RuntimeError, match="committed"):
            await uow.commit()


async def test_the_connection_goes_back_in_its_default_mode(
    unit: SqlTenantUnitOfWorkFactory, engines: TenantEngines
) -> None:
    async with unit(TENANT) as uow:
        await uow.users.add(_user("host@acme.example"))
        await uow.commit()
    engine = engines.get(TENANT)
    async with engine.connect() as connection:  # the pool's one connection, used just above
        await connection.execute(users.delete())
        await connection.rollback()  # would have been committed in AUTOCOMMIT mode
    async with engine.connect() as connection:
        count = (await connection.execute(sa.select(sa.func.count()).select_from(users))).one()
    assert count == (1,)
