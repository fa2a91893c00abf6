"""The audit log's rules on in-memory tables: what a row may hold, who may read it, how
the export is made safe, and how the plugin names the actor of a session change."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.memory.clock import FixedClock
from core.audit.context import RequestContext, bind_request, unbind_request
from core.audit.export import HEADER, csv_line, csv_lines, neutralise
from core.audit.model import ActorKind, AuditActor, AuditEntry, AuditFilter, clean_details
from core.audit.services import AuditDependencies, export_events, list_events, record
from core.errors import Forbidden
from core.identity.model import Actor, Role
from plugins.builtin.audit_log import AuditLogPlugin
from plugins.features import FeatureServices
from ports.events import Audience, Event, EventType
from ports.pagination import PageRequest
from tests.unit.retention_support import MemoryUnitOfWorkFactory

TENANT = uuid.uuid4()
NOON = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
ADMIN = Actor(tenant_id=TENANT, user_id=uuid.uuid4(), role=Role.ADMIN)


@pytest.fixture
def uow() -> MemoryUnitOfWorkFactory:
    return MemoryUnitOfWorkFactory()


@pytest.fixture
def deps(uow: MemoryUnitOfWorkFactory) -> AuditDependencies:
    return AuditDependencies(tenant_uow=uow, clock=FixedClock(NOON), appender=uow)


def test_details_keep_only_allow_listed_keys_never_secrets() -> None:
    cleaned = clean_details(
        {"role": "admin", "password": "hunter2", "secret": "pxk_x", "token": "t", "name": "A"}
    )
    assert cleaned == {"role": "admin", "name": "A"}


def test_details_are_cut_short() -> None:
    cleaned = clean_details({"name": "x" * 1000, "scopes": [str(i) for i in range(50)]})
    assert len(cleaned["name"]) == 200
    assert len(cleaned["scopes"]) == 20


def test_an_api_key_or_device_is_the_actor_not_the_user_behind_it() -> None:
    key_id, device_id = uuid.uuid4(), uuid.uuid4()
    key = Actor.for_api_key(TENANT, key_id=key_id, creator_id=uuid.uuid4(), scopes=frozenset())
    device = Actor(tenant_id=TENANT, user_id=uuid.uuid4(), role=Role.EXPERT, device_id=device_id)
    assert AuditActor.of(key) == AuditActor(ActorKind.API_KEY, key_id)
    assert AuditActor.of(device).kind is ActorKind.USER
    assert AuditActor.of(ADMIN) == AuditActor(ActorKind.USER, ADMIN.user_id)


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_export_neutralises_cells_a_spreadsheet_would_run(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert csv_line([cell]).startswith("'") or csv_line([cell]).startswith("\"'")


def test_export_keeps_ordinary_cells() -> None:
    assert csv_line(["user.invited", "a,b"]) == 'user.invited,"a,b"\r\n'


async def test_record_stamps_id_and_time_and_list_reads_newest_first(
    deps: AuditDependencies,
) -> None:
    clock = deps.clock
    assert isinstance(clock, FixedClock)
    for action in ("user.invited", "api_key.created", "user.disabled"):
        assert await record(TENANT, AuditEntry(AuditActor.of(ADMIN), action), deps)
        clock.advance(timedelta(minutes=1))
    page = await list_events(ADMIN, AuditFilter(), PageRequest(limit=2), deps)
    assert [e.action for e in page.items] == ["user.disabled", "api_key.created"]
    rest = await list_events(ADMIN, AuditFilter(), PageRequest(limit=2, after=page.next), deps)
    assert [e.action for e in rest.items] == ["user.invited"]
    assert rest.next is None
    users = await list_events(ADMIN, AuditFilter(action="user."), PageRequest(limit=9), deps)
    assert {e.action for e in users.items} == {"user.invited", "user.disabled"}


async def test_a_failed_write_is_reported_not_raised(
    uow: MemoryUnitOfWorkFactory, deps: AuditDependencies
) -> None:
    uow.tables(TENANT).fail_writes = True
    assert not await record(TENANT, AuditEntry(AuditActor.of(ADMIN), "user.invited"), deps)


@pytest.mark.parametrize("role", [Role.EXPERT, Role.FIELD_ENGINEER, Role.OBSERVER])
async def test_only_admins_read_the_log(role: Role, deps: AuditDependencies) -> None:
    caller = Actor(tenant_id=TENANT, user_id=uuid.uuid4(), role=role)
    with pytest.raises(Forbidden):
        await list_events(caller, AuditFilter(), PageRequest(limit=5), deps)
    with pytest.raises(Forbidden):
        export_events(caller, AuditFilter(), deps)


async def test_a_window_that_ends_before_it_starts_holds_nothing(
    deps: AuditDependencies,
) -> None:
    await record(TENANT, AuditEntry(AuditActor.of(ADMIN), "user.invited"), deps)
    backwards = AuditFilter(since=NOON + timedelta(days=1), until=NOON - timedelta(days=1))
    assert (await list_events(ADMIN, backwards, PageRequest(limit=5), deps)).items == []
    around = AuditFilter(since=NOON, until=NOON + timedelta(seconds=1))
    assert len((await list_events(ADMIN, around, PageRequest(limit=5), deps)).items) == 1


async def test_export_streams_a_header_then_every_event(deps: AuditDependencies) -> None:
    for n in range(3):
        await record(
            TENANT, AuditEntry(AuditActor.of(ADMIN), "file.deleted", target_id=f"=x{n}"), deps
        )
    lines = [line async for line in csv_lines(export_events(ADMIN, AuditFilter(), deps))]
    assert lines[0] == ",".join(HEADER) + "\r\n"
    assert len(lines) == 4
    assert all(",'=x" in line for line in lines[1:])


def _event(kind: EventType, **data: Any) -> Event:
    return Event(kind, TENANT, NOON, Audience(), data)


async def test_the_plugin_names_the_requests_caller_or_the_system(
    uow: MemoryUnitOfWorkFactory, deps: AuditDependencies
) -> None:
    others = {f.name: _unused for f in fields(FeatureServices)}
    plugin = AuditLogPlugin(FeatureServices(**{**others, "audit": lambda: deps}))
    session_id = str(uuid.uuid4())
    await plugin.session_ended(
        _event(EventType.SESSION_ENDED, session_id=session_id, state="ended")
    )
    token = bind_request(RequestContext(ip="203.0.113.7", request_id="r1", actor=ADMIN))
    try:
        await plugin.session_created(_event(EventType.SESSION_CREATED, session_id=session_id))
    finally:
        unbind_request(token)
    ended, created = uow.tables(TENANT).events
    assert (ended.action, ended.actor.kind, ended.details) == (
        "session.ended",
        ActorKind.SYSTEM,
        {"state": "ended"},
    )
    assert (created.action, created.actor.id, created.ip, created.request_id) == (
        "session.created",
        ADMIN.user_id,
        "203.0.113.7",
        "r1",
    )
    assert created.target_id == session_id


def _unused() -> Any:
    raise AssertionError("the audit plugin uses only its own services")
