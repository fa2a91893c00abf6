"""Export and import of a tenant archive: the core's rules, on in-memory adapters."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterable, Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any
from uuid import UUID

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.tenant_archive import MemoryArchive
from adapters.memory.tenant_catalog import MemoryTenantCatalog, MemoryTenantResources
from adapters.memory.tenant_rows import MemoryTenantRows
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.errors import Conflict, Unavailable
from core.tenants.archive_format import ArchiveRejected
from core.tenants.model import InvalidTransition, SlugTaken, Tenant, TenantStatus
from core.tenants.portability import PortabilityDependencies, export_tenant, import_tenant
from core.tenants.services import CreateTenant, TenantDependencies, create_tenant
from ports.tenant_archive import ArchiveError
from ports.tenant_rows import Row
from tests.unit.conftest import PlainHasher

USERS: list[Row] = [
    {"id": "00000000-0000-0000-0000-000000000001", "email": "ada@acme.example", "age": 36},
    {"id": "00000000-0000-0000-0000-000000000002", "email": "bob@acme.example", "age": None},
]
OUTBOX: list[Row] = [
    {"id": "00000000-0000-0000-0000-0000000000aa", "payload": {"to": "gus", "n": [1, 2.5]}}
]
FILES = {"sessions/4711/photo.jpg": b"\xff\xd8jpeg bytes", "notes.txt": "héllo".encode()}


class RecordingResources(MemoryTenantResources):
    """Memory databases that remember every ``ensure`` and the version it asked for."""

    def __init__(self, schema_versions: Sequence[str]) -> None:
        super().__init__(schema_versions)
        self.ensured: list[tuple[UUID, str | None]] = []

    async def ensure(self, tenant_id: UUID, *, schema_version: str | None = None) -> None:
        self.ensured.append((tenant_id, schema_version))
        await super().ensure(tenant_id, schema_version=schema_version)


@dataclass
class Deployment:
    catalog: MemoryTenantCatalog
    databases: RecordingResources
    storage: MemoryTenantResources
    rows: MemoryTenantRows
    deps: PortabilityDependencies

    def everything_for(self, tenant_id: UUID) -> tuple[object, ...]:
        return (
            self.rows.data.get(tenant_id),
            self.storage.files.get(tenant_id),
            tenant_id in self.databases.created,
            tenant_id in self.storage.created,
        )


def _deployment(clock: FixedClock, schema_versions: Sequence[str] = ("0001",)) -> Deployment:
    catalog = MemoryTenantCatalog()
    databases = RecordingResources(schema_versions)
    storage = MemoryTenantResources()
    rows = MemoryTenantRows(databases)
    tenants = TenantDependencies(
        catalog=catalog,
        databases=databases,
        storage=storage,
        tenant_uow=MemoryTenantUnitOfWorkFactory(),
        hasher=PlainHasher(),
        clock=clock,
        sqlite_folder=PurePath("/srv/passerelle"),
    )
    return Deployment(catalog, databases, storage, rows, PortabilityDependencies(tenants, rows))


async def _tenant_with_data(deployment: Deployment, slug: str = "acme") -> Tenant:
    request = CreateTenant(slug, "ACME Industries", "ops@acme.example", "long enough pw", "Ada")
    tenant, _ = await create_tenant(request, deployment.deps.tenants, actor="op")
    deployment.rows.data[tenant.id] = {"users": list(USERS), "outbox": list(OUTBOX)}
    deployment.storage.files[tenant.id] = dict(FILES)
    return tenant


async def _exported(deployment: Deployment, tenant: Tenant) -> MemoryArchive:
    archive = MemoryArchive()
    await export_tenant(tenant.slug, deployment.deps, archive, actor="op")
    return archive


@pytest.fixture
def source(clock: FixedClock) -> Deployment:
    return _deployment(clock)


@pytest.fixture
def target(clock: FixedClock) -> Deployment:
    return _deployment(clock)


async def test_round_trip_restores_rows_files_and_plan_under_a_new_id(
    source: Deployment, target: Deployment
) -> None:
    original = await _tenant_with_data(source)
    archive = await _exported(source, original)

    imported, manifest = await import_tenant(archive, target.deps, actor="op")

    assert imported.id != original.id
    assert (imported.slug, imported.display_name) == ("acme", "ACME Industries")
    assert imported.limits == original.limits
    assert imported.status is TenantStatus.ACTIVE
    assert target.rows.data[imported.id] == {"users": USERS, "outbox": OUTBOX}
    assert target.storage.files[imported.id] == FILES
    assert manifest.tenant.id == original.id
    assert {t.name: t.rows for t in manifest.tables} == {
        "users": 2,
        "assistance_sessions": 0,
        "outbox": 1,
        "invitations": 0,
    }
    assert [e.action for e in source.catalog.audit][-1] == "exported"
    assert [e.action for e in target.catalog.audit] == ["created", "imported"]
    assert target.catalog.audit[-1].detail["source_tenant_id"] == str(original.id)


async def test_export_writes_the_manifest_first_then_rows_then_files(source: Deployment) -> None:
    archive = await _exported(source, await _tenant_with_data(source))

    names = [name for name, _ in archive.entries]
    assert names == [
        "manifest.json",
        "rows/users.jsonl",
        "rows/assistance_sessions.jsonl",
        "rows/outbox.jsonl",
        "rows/invitations.jsonl",
        "files/notes.txt",
        "files/sessions/4711/photo.jpg",
    ]
    users = dict(archive.entries)["rows/users.jsonl"].decode().splitlines()
    assert (
        users[0]
        == '{"age":36,"email":"ada@acme.example","id":"00000000-0000-0000-0000-000000000001"}'
    )


async def test_same_archive_imports_beside_the_original_under_another_slug(
    source: Deployment,
) -> None:
    original = await _tenant_with_data(source)
    archive = await _exported(source, original)

    copy, _ = await import_tenant(archive, source.deps, slug="acme-copy", actor="op")

    assert copy.slug == "acme-copy"
    assert copy.id != original.id
    assert source.rows.data[copy.id] == source.rows.data[original.id]
    assert source.storage.files[copy.id] == FILES
    assert (await source.catalog.get(original.id)) == original


async def test_taken_slug_is_refused_and_nothing_is_written(source: Deployment) -> None:
    archive = await _exported(source, await _tenant_with_data(source))
    tenants_before = dict(source.catalog.tenants)

    with pytest.raises(SlugTaken) as raised:
        await import_tenant(archive, source.deps, actor="op")

    assert raised.value.field == "slug"
    assert source.catalog.tenants == tenants_before
    assert source.databases.created == set(tenants_before)


def _manifest(archive: MemoryArchive) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(archive.entries[0][1])
    return document


def _store_manifest(archive: MemoryArchive, document: dict[str, Any]) -> None:
    archive.entries[0] = ("manifest.json", json.dumps(document).encode())


def _replace(archive: MemoryArchive, name: str, content: bytes) -> None:
    archive.entries = [(n, content if n == name else c) for n, c in archive.entries]


def _flip_one_byte(archive: MemoryArchive) -> None:
    data = dict(archive.entries)["rows/users.jsonl"]
    _replace(archive, "rows/users.jsonl", data.replace(b"ada@", b"eve@"))


def _truncate(archive: MemoryArchive) -> None:
    archive.entries = archive.entries[:-1]


def _change_file(archive: MemoryArchive) -> None:
    _replace(archive, "files/notes.txt", b"hello")


def _add_member(archive: MemoryArchive) -> None:
    archive.entries.append(("files/stowaway.sh", b"echo hi"))


def _lose_manifest(archive: MemoryArchive) -> None:
    archive.entries = archive.entries[1:]


def _escape_directory(archive: MemoryArchive) -> None:
    document = _manifest(archive)
    document["files"][0]["key"] = "../../etc/passwd"
    _store_manifest(archive, document)


def _not_json_but_matching_checksum(archive: MemoryArchive) -> None:
    junk = b"not json\n"
    _replace(archive, "rows/outbox.jsonl", junk)
    document = _manifest(archive)
    (outbox,) = [table for table in document["tables"] if table["name"] == "outbox"]
    outbox.update(rows=1, size=len(junk), sha256=hashlib.sha256(junk).hexdigest())
    _store_manifest(archive, document)


@pytest.mark.parametrize(
    "damage",
    [
        _flip_one_byte,
        _truncate,
        _change_file,
        _add_member,
        _lose_manifest,
        _escape_directory,
        _not_json_but_matching_checksum,
    ],
)
async def test_damaged_archive_is_refused_before_anything_is_written(
    source: Deployment, target: Deployment, damage: Callable[[MemoryArchive], None]
) -> None:
    archive = await _exported(source, await _tenant_with_data(source))
    damage(archive)

    with pytest.raises(ArchiveRejected) as raised:
        await import_tenant(archive, target.deps, actor="op")

    assert raised.value.field == "archive"
    assert target.catalog.tenants == {}
    assert target.catalog.audit == []
    assert target.databases.created == set()
    assert target.storage.created == set()
    assert target.rows.data == {}
    assert target.storage.files == {}


async def test_archive_of_a_newer_schema_is_refused(clock: FixedClock) -> None:
    newer = _deployment(clock, ("0001", "0002"))
    older = _deployment(clock, ("0001",))
    archive = await _exported(newer, await _tenant_with_data(newer))

    with pytest.raises(ArchiveRejected) as raised:
        await import_tenant(archive, older.deps, actor="op")

    assert raised.value.code == "schema_too_new"
    assert "0002" in raised.value.detail
    assert older.catalog.tenants == {}
    assert older.databases.created == set()


async def test_archive_of_an_older_schema_is_imported_at_its_version_then_migrated(
    clock: FixedClock,
) -> None:
    older = _deployment(clock, ("0001",))
    newer = _deployment(clock, ("0001", "0002"))
    archive = await _exported(older, await _tenant_with_data(older))

    imported, manifest = await import_tenant(archive, newer.deps, actor="op")

    assert manifest.schema_version == "0001"
    assert newer.databases.ensured == [(imported.id, "0001"), (imported.id, None)]
    assert newer.databases.versions[imported.id] == "0002"
    assert newer.rows.data[imported.id]["users"] == USERS


async def test_failure_while_writing_leaves_the_tenant_provisioning_with_the_error(
    source: Deployment, target: Deployment
) -> None:
    archive = await _exported(source, await _tenant_with_data(source))
    target.rows.fail_on = "outbox"

    with pytest.raises(Unavailable) as raised:
        await import_tenant(archive, target.deps, actor="op")

    assert raised.value.code == "import_failed"
    (stuck,) = target.catalog.tenants.values()
    assert stuck.status is TenantStatus.PROVISIONING
    assert stuck.provisioning_error is not None
    assert "outbox" in stuck.provisioning_error
    assert target.rows.data.get(stuck.id) is None
    assert [e.action for e in target.catalog.audit] == ["created", "provisioning_failed"]


async def test_a_tenant_still_provisioning_cannot_be_exported(source: Deployment) -> None:
    tenant = await _tenant_with_data(source)
    await source.catalog.save(replace(tenant, status=TenantStatus.PROVISIONING))

    with pytest.raises(InvalidTransition):
        await _exported(source, tenant)


async def test_a_database_behind_the_newest_schema_is_not_exported(source: Deployment) -> None:
    tenant = await _tenant_with_data(source)
    source.databases.versions[tenant.id] = "0000"
    archive = MemoryArchive()

    with pytest.raises(Conflict, match="passerelle migrate") as raised:
        await export_tenant(tenant.id, source.deps, archive, actor="op")

    assert raised.value.code == "schema_not_current"
    assert archive.discarded
    assert archive.entries == []


class _FailingArchive(MemoryArchive):
    async def add(self, name: str, chunks: AsyncIterable[bytes]) -> None:
        if name.startswith("files/"):
            raise ArchiveError("disk full")
        await super().add(name, chunks)


async def test_failed_export_leaves_no_archive_and_no_audit_entry(source: Deployment) -> None:
    tenant = await _tenant_with_data(source)
    archive = _FailingArchive()

    with pytest.raises(Unavailable) as raised:
        await export_tenant(tenant.id, source.deps, archive, actor="op")

    assert raised.value.code == "export_failed"
    assert archive.discarded
    assert archive.entries == []
    assert "exported" not in [e.action for e in source.catalog.audit]


async def test_manifest_checksums_describe_the_archive_it_heads(source: Deployment) -> None:
    archive = await _exported(source, await _tenant_with_data(source))
    manifest = json.loads(archive.entries[0][1])

    assert manifest["format"] == "passerelle-tenant-archive"
    assert manifest["format_version"] == 1
    assert manifest["schema_version"] == "0001"
    assert "database_url" not in json.dumps(manifest)
    assert {f["key"]: f["size"] for f in manifest["files"]} == {k: len(v) for k, v in FILES.items()}
