"""Retention rules on in-memory tables: the policy's ranges, what a purge deletes and
keeps, batches, dry runs, and blobs before rows."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.tenant_catalog import MemoryTenantCatalog
from apps.api.audit.controller import RetentionPolicyController
from apps.api.audit.features import feature_controllers
from core.errors import Forbidden, InvalidInput
from core.identity.model import Actor, Role
from core.retention.model import RetentionPolicy
from core.retention.services import (
    RetentionDependencies,
    purge_tenant,
    retention_policy,
    set_retention_policy,
)
from plugins.features import FeatureServices
from plugins.manager import build_plugins
from plugins.registry import AdapterContext
from tests.unit.retention_support import DeletingBlobs, MemoryUnitOfWorkFactory, Row, Tables

TENANT = uuid.uuid4()
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=400)
RECENT = NOW - timedelta(days=10)
ADMIN = Actor(tenant_id=TENANT, user_id=uuid.uuid4(), role=Role.ADMIN)
YEAR = RetentionPolicy(
    ended_sessions_days=365, files_days=365, audit_events_days=365, outbox_days=365
)


@pytest.fixture
def uow() -> MemoryUnitOfWorkFactory:
    return MemoryUnitOfWorkFactory()


@pytest.fixture
def blobs() -> DeletingBlobs:
    return DeletingBlobs()


@pytest.fixture
def deps(uow: MemoryUnitOfWorkFactory, blobs: DeletingBlobs) -> RetentionDependencies:
    return RetentionDependencies(
        tenant_uow=uow,
        catalog=MemoryTenantCatalog(),
        blobs=cast(Any, blobs),
        clock=FixedClock(NOW),
        batch_size=2,
    )


def _row(at: datetime, **kwargs: Any) -> Row:
    return Row(uuid.uuid4(), at, **kwargs)


def _fill(tables: Tables) -> dict[str, Row]:
    rows = {
        "old_ended": _row(OLD),
        "recent_ended": _row(RECENT),
        "old_open": _row(OLD, open=True),
    }
    rows["file_of_old_ended"] = _row(RECENT, session_id=rows["old_ended"].id)
    rows["old_file_of_open"] = _row(OLD, session_id=rows["old_open"].id)
    rows["old_file"] = _row(OLD)
    rows["recent_file"] = _row(RECENT)
    rows["old_sent"] = _row(OLD)
    rows["old_queued"] = _row(OLD, finished=False)
    for name in ("old_ended", "recent_ended", "old_open"):
        tables.sessions[rows[name].id] = rows[name]
    for name in ("file_of_old_ended", "old_file_of_open", "old_file", "recent_file"):
        tables.files[rows[name].id] = rows[name]
    for name in ("old_sent", "old_queued"):
        tables.outbox[rows[name].id] = rows[name]
    return rows


@pytest.mark.parametrize("name", [f.name for f in fields(RetentionPolicy)])
@pytest.mark.parametrize("days", [0, -1, 3651])
def test_a_period_out_of_range_is_refused_naming_its_field(name: str, days: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        RetentionPolicy(**{name: days}).checked()
    assert refused.value.field == name


def test_null_keeps_forever_and_the_bounds_are_allowed() -> None:
    assert RetentionPolicy().keeps_everything
    assert RetentionPolicy(files_days=1, outbox_days=3650).checked().cutoffs(NOW).files == (
        NOW - timedelta(days=1)
    )


async def test_only_admins_read_or_set_the_policy(deps: RetentionDependencies) -> None:
    expert = Actor(tenant_id=TENANT, user_id=uuid.uuid4(), role=Role.EXPERT)
    with pytest.raises(Forbidden):
        await retention_policy(expert, deps)
    with pytest.raises(Forbidden):
        await set_retention_policy(expert, YEAR, deps)
    await set_retention_policy(ADMIN, YEAR, deps)
    assert await retention_policy(ADMIN, deps) == YEAR


async def test_without_a_policy_nothing_is_purged(
    uow: MemoryUnitOfWorkFactory, deps: RetentionDependencies
) -> None:
    _fill(uow.tables(TENANT))
    report = await purge_tenant(TENANT, "acme", deps)
    assert (report.sessions, report.files, report.audit_events, report.outbox) == (0, 0, 0, 0)
    assert len(uow.tables(TENANT).files) == 4


async def test_purge_deletes_what_is_old_and_keeps_the_rest(
    uow: MemoryUnitOfWorkFactory, deps: RetentionDependencies, blobs: DeletingBlobs
) -> None:
    tables = uow.tables(TENANT)
    tables.policy = YEAR
    rows = _fill(tables)
    report = await purge_tenant(TENANT, "acme", deps)
    kept = uow.tables(TENANT)
    assert set(kept.sessions) == {rows["recent_ended"].id, rows["old_open"].id}
    assert set(kept.files) == {rows["old_file_of_open"].id, rows["recent_file"].id}
    assert set(kept.outbox) == {rows["old_queued"].id}
    assert sorted(blobs.deleted) == sorted(
        f"files/{rows[n].id}" for n in ("file_of_old_ended", "old_file")
    )
    assert (report.sessions, report.files, report.outbox) == (1, 2, 1)


async def test_purge_works_in_batches_until_done_and_again_finds_nothing(
    uow: MemoryUnitOfWorkFactory, deps: RetentionDependencies
) -> None:
    tables = uow.tables(TENANT)
    tables.policy = RetentionPolicy(files_days=30)
    for _ in range(5):
        old = _row(OLD)
        tables.files[old.id] = old
    first = await purge_tenant(TENANT, "acme", deps)
    again = await purge_tenant(TENANT, "acme", deps)
    assert (first.files, again.files) == (5, 0)
    assert uow.tables(TENANT).files == {}


async def test_dry_run_counts_and_deletes_nothing(
    uow: MemoryUnitOfWorkFactory, deps: RetentionDependencies, blobs: DeletingBlobs
) -> None:
    tables = uow.tables(TENANT)
    tables.policy = YEAR
    _fill(tables)
    report = await purge_tenant(TENANT, "acme", deps, dry_run=True)
    assert (report.sessions, report.files, report.outbox) == (1, 2, 1)
    assert blobs.deleted == []
    assert len(uow.tables(TENANT).files) == 4


async def test_rows_stay_when_their_blobs_cannot_be_deleted(
    uow: MemoryUnitOfWorkFactory, deps: RetentionDependencies, blobs: DeletingBlobs
) -> None:
    tables = uow.tables(TENANT)
    tables.policy = YEAR
    rows = _fill(tables)
    blobs.refuse = True
    with pytest.raises(OSError, match="storage unreachable"):
        await purge_tenant(TENANT, "acme", deps)
    assert rows["old_file"].id in uow.tables(TENANT).files
    assert rows["old_ended"].id in uow.tables(TENANT).sessions


def _services(deps: RetentionDependencies) -> FeatureServices:
    others = {f.name: _unused for f in fields(FeatureServices)}
    return FeatureServices(**{**others, "retention": lambda: deps})


def _unused() -> Any:
    raise AssertionError("the retention plugin uses only its own services")


def test_the_worker_runs_the_purge_unless_the_plugin_is_disabled(
    deps: RetentionDependencies,
) -> None:
    context = AdapterContext(blocks={}, clock=FixedClock(NOW), data_dir=Path("."))
    loaded = build_plugins(load_entry_points=False, services=_services(deps))
    disabled = build_plugins(
        load_entry_points=False, services=_services(deps), disabled=("plugins.builtin.retention",)
    )
    assert [j.name for j in loaded.worker_jobs(context)] == ["retention"]
    assert [j.name for j in disabled.worker_jobs(context)] == []
    assert RetentionPolicyController in feature_controllers(loaded)
    assert RetentionPolicyController not in feature_controllers(disabled)
