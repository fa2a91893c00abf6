"""Moving a tenant: export on one deployment, import on another on the other database.

Each test runs with its source on SQLite and on PostgreSQL; the cross-backend test imports
into a second deployment on the other backend (SQLite <-> PostgreSQL).
"""

from __future__ import annotations

import json
import tarfile
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from dependency_injector import providers
from sqlalchemy.engine import make_url

from adapters.argon2.password_hasher import Argon2PasswordHasher
from adapters.memory.mail_sender import RecordingMailSender
from adapters.sql.migrator import History, head_revision
from adapters.sql.tenant_tables import metadata
from apps.api.app import create_app
from apps.container import Container, build_container, close_container
from apps.maintenance import migrate_control
from core.identity.model import Role, User
from core.tenants.archive_format import ArchiveRejected, Manifest
from core.tenants.portability import export_tenant, import_tenant
from ports.pagination import PageRequest
from tests.conftest import (
    POSTGRES_URL,
    Database,
    _drop_postgres_databases,
    _postgres_error,
    service_missing,
)
from tests.integration.conftest import Api, settings_for

FILES = {
    "sessions/4711/photo.jpg": bytes(range(256)) * 300,
    "notes/réunion du 3 mars.txt": "compte rendu: très bien\n".encode(),
    "empty.bin": b"",
}


@asynccontextmanager
async def _database_on(backend: str, folder: Path) -> AsyncIterator[Database]:
    """A fresh control database on ``backend``, dropped afterwards with its tenant databases."""
    if backend == "sqlite":
        yield Database("sqlite", f"sqlite+aiosqlite:///{folder}/control.db", "pxr_tenant_")
        return
    error = await _postgres_error()
    if error:
        service_missing(error)
    import asyncpg

    tag = uuid.uuid4().hex[:10]
    control, prefix = f"pxt_{tag}_control", f"pxt_{tag}_t_"
    url = make_url(POSTGRES_URL)
    connection = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, database=url.database
    )
    await connection.execute(f'CREATE DATABASE "{control}"')
    await connection.close()
    try:
        yield Database("postgresql", url.set(database=control).render_as_string(False), prefix)
    finally:
        await _drop_postgres_databases((control, prefix))


@asynccontextmanager
async def _deployment(database: Database, data_dir: Path) -> AsyncIterator[Container]:
    """A second deployment, wired as the ``container`` fixture wires the first."""
    container = build_container(settings_for(database, data_dir))
    container.hasher.override(
        providers.Object(Argon2PasswordHasher(time_cost=1, memory_cost_kib=8192))
    )
    container.mail.override(providers.Object(RecordingMailSender()))
    await migrate_control(container)
    try:
        yield container
    finally:
        await close_container(container)


async def _tenant_with_everything(api: Api) -> uuid.UUID:
    """Users, a session with a participant, an invitation with its outbox row, and files."""
    created = await api.create_tenant("acme")
    tenant_id = uuid.UUID(created["tenant"]["id"])
    headers = await api.login("acme")
    session_id = await api.create_session(headers, "Ticket 4711")
    joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=headers)
    assert joined.status_code == 200, joined.text
    invited = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations",
        json={"email": "gus@guest.example", "display_name": "Gus Gäst"},
        headers=headers,
    )
    assert invited.status_code == 201, invited.text
    async with api.container.tenant_uow()(tenant_id) as uow:
        await uow.users.add(
            User(
                id=uuid.uuid4(),
                email="eve@acme.example",
                display_name="Eve Expert",
                role=Role.EXPERT,
                password_hash="not-a-real-hash",
                created_at=datetime.now(UTC),
            )
        )
        await uow.commit()
    storage = api.container.storage()
    for key, content in FILES.items():
        await storage.write(tenant_id, key, _once(content))
    return tenant_id


async def _once(content: bytes) -> AsyncIterator[bytes]:
    yield content


async def _row_counts(container: Container, tenant_id: uuid.UUID) -> dict[str, int]:
    engine = await container.tenant_engines().engine_for(tenant_id)
    async with engine.connect() as connection:
        return {
            table.name: int(
                (
                    await connection.execute(sa.select(sa.func.count()).select_from(table))
                ).scalar_one()
            )
            for table in metadata.sorted_tables
        }


async def _read(container: Container, tenant_id: uuid.UUID, key: str) -> bytes:
    return b"".join([chunk async for chunk in container.storage().read(tenant_id, key)])


def _tables(manifest: Manifest) -> list[tuple[str, int, str]]:
    return [(table.name, table.rows, table.sha256) for table in manifest.tables]


async def test_tenant_moves_to_the_other_database_backend_with_equal_rows_and_files(
    api: Api, database: Database, tmp_path: Path
) -> None:
    source_id = await _tenant_with_everything(api)
    archive = tmp_path / "acme.tar.gz"
    exported = await export_tenant(
        "acme",
        api.container.portability_dependencies(),
        api.container.tenant_archives().create(archive),
        actor="test",
    )
    other_backend = "postgresql" if database.backend == "sqlite" else "sqlite"

    async with (
        _database_on(other_backend, tmp_path / "other") as other_database,
        _deployment(other_database, tmp_path / "other") as other,
    ):
        imported, manifest = await import_tenant(
            other.tenant_archives().open(archive), other.portability_dependencies(), actor="test"
        )
        again = await export_tenant(
            imported.id,
            other.portability_dependencies(),
            other.tenant_archives().create(tmp_path / "again.tar.gz"),
            actor="test",
        )
        counts = await _row_counts(other, imported.id)
        contents = {key: await _read(other, imported.id, key) for key in FILES}
        sessions = await _sessions_seen_by_the_imported_admin(other)

    assert manifest == exported
    assert counts == await _row_counts(api.container, source_id)
    assert counts == {t.name: t.rows for t in exported.tables}
    assert counts["users"] == 2
    assert counts["invitations"] == counts["outbox"] == counts["participants"] == 1
    assert _tables(again) == _tables(exported)
    assert again.files == exported.files
    assert contents == FILES
    assert imported.id != source_id
    assert sessions == ["Ticket 4711"]


async def _sessions_seen_by_the_imported_admin(container: Container) -> list[str]:
    app = create_app(container, close=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        api = Api(client=client, operator_key="", container=container)
        listed = await client.get("/api/v1/sessions", headers=await api.login("acme"))
    assert listed.status_code == 200, listed.text
    return [session["reference"] for session in listed.json()["items"]]


async def test_archive_imported_beside_its_original_gets_a_new_id_and_both_are_audited(
    api: Api, tmp_path: Path
) -> None:
    source_id = await _tenant_with_everything(api)
    archive = tmp_path / "acme.tar.gz"
    deps = api.container.portability_dependencies()
    await export_tenant("acme", deps, api.container.tenant_archives().create(archive), actor="op")

    copy, _ = await import_tenant(
        api.container.tenant_archives().open(archive), deps, slug="acme-copy", actor="op"
    )

    assert copy.id != source_id
    assert await _row_counts(api.container, copy.id) == await _row_counts(api.container, source_id)
    catalog = api.container.catalog()
    source_events = (await catalog.events(source_id, PageRequest(50))).items
    copy_events = (await catalog.events(copy.id, PageRequest(50))).items
    assert source_events[-1].action == "exported"
    assert [e.action for e in copy_events] == ["created", "imported"]
    assert copy_events[-1].detail["source_tenant_id"] == str(source_id)


async def test_archive_file_is_a_gzip_tar_with_the_manifest_then_rows_then_files(
    api: Api, tmp_path: Path
) -> None:
    await _tenant_with_everything(api)
    archive = tmp_path / "acme.tar.gz"
    deps = api.container.portability_dependencies()
    await export_tenant("acme", deps, api.container.tenant_archives().create(archive), actor="op")

    names, manifest = _tar_contents(archive)

    assert names[0] == "manifest.json"
    assert names[1:] == [f"rows/{t['name']}.jsonl" for t in manifest["tables"]] + [
        f"files/{f['key']}" for f in manifest["files"]
    ]
    assert [t["name"] for t in manifest["tables"]] == [t.name for t in metadata.sorted_tables]
    assert sorted(f["key"] for f in manifest["files"]) == sorted(FILES)
    assert manifest["tenant"]["slug"] == "acme"
    assert manifest["schema_version"] == head_revision(History.TENANT)


def _tar_contents(archive: Path) -> tuple[list[str], dict[str, Any]]:
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        handle = tar.extractfile("manifest.json")
        assert handle is not None
        manifest: dict[str, Any] = json.load(handle)
    return names, manifest


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _bit_flipped(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def _not_an_archive(data: bytes) -> bytes:
    return b"just some text, not a tar file\n"


@pytest.mark.parametrize("damage", [_truncated, _bit_flipped, _not_an_archive])
async def test_damaged_archive_file_is_refused_and_leaves_no_tenant_database_or_files(
    api: Api, tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    source_id = await _tenant_with_everything(api)
    archive = tmp_path / "acme.tar.gz"
    deps = api.container.portability_dependencies()
    await export_tenant("acme", deps, api.container.tenant_archives().create(archive), actor="op")
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(damage(archive.read_bytes()))

    with pytest.raises(ArchiveRejected):
        await import_tenant(
            api.container.tenant_archives().open(damaged), deps, slug="acme-copy", actor="op"
        )

    assert await api.container.catalog().find_by_slug("acme-copy") is None
    assert await api.container.tenant_databases().tenant_ids() == {source_id}
    assert await api.container.storage().tenant_ids() == {source_id}


async def test_failed_export_leaves_no_archive_file(api: Api, tmp_path: Path) -> None:
    await _tenant_with_everything(api)
    archive = tmp_path / "missing-folder" / "acme.tar.gz"

    with pytest.raises(Exception, match="export of 'acme' failed"):
        await export_tenant(
            "acme",
            api.container.portability_dependencies(),
            api.container.tenant_archives().create(archive),
            actor="op",
        )

    assert not archive.exists()
    assert _leftovers(tmp_path) == []


def _leftovers(folder: Path) -> list[Path]:
    """Staging folders or partial archives an export may have left behind."""
    return [*folder.glob("**/*.partial"), *folder.glob("**/.*.tar.gz.*")]
