"""Moving a tenant between deployments: export to a portable archive, import from one.

The format (manifest, rows, files) is described in ``core.tenants.archive_format``; how
the archive is packed and where it lives is an adapter's business.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from core.errors import Conflict, InvalidInput, Unavailable
from core.tenants.archive_format import (
    MAX_MANIFEST_BYTES,
    ArchiveRejected,
    Digest,
    FileEntry,
    Manifest,
    SourceTenant,
    TableEntry,
    digested,
    file_member,
    parse_manifest,
    parsed_rows,
    row_line,
    table_member,
)
from core.tenants.model import (
    InvalidTransition,
    SlugTaken,
    Tenant,
    TenantStatus,
    validate_display_name,
    validate_slug,
)
from core.tenants.services import TenantDependencies, existing_tenant, record_event
from ports.tenant_archive import (
    MANIFEST_MEMBER,
    ArchiveError,
    ArchiveMember,
    ArchiveSink,
    ArchiveSource,
)
from ports.tenant_databases import ProvisioningError
from ports.tenant_rows import Row, RowReader, RowWriter, TenantRows, TenantRowsError
from ports.tenant_storage import UnsafeFileKey, checked_file_key

Progress = Callable[[str, int, int], None]
"""Called after each member with the stage ("export", "verify", "import"), done and total."""

BATCH = 500
BACKUP_PREFIX = "backups/"
"""Backups live in the tenant's directory under this prefix; an archive never holds them."""
EXPORTABLE = (TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.DELETING)
"""Tenants whose database is kept, those in their deletion grace period included."""


@dataclass(frozen=True, slots=True)
class PortabilityDependencies:
    tenants: TenantDependencies
    rows: TenantRows


def _silent(stage: str, done: int, total: int) -> None:
    return None


async def export_tenant(
    reference: UUID | str,
    deps: PortabilityDependencies,
    sink: ArchiveSink,
    *,
    actor: str,
    progress: Progress = _silent,
) -> Manifest:
    """Write one tenant's rows and files, with their manifest, into ``sink``.

    Rules: only a tenant that holds data (active, suspended, or deleting within its grace
    period) is exported, and only from a database at the newest schema. Rows are read in
    one snapshot; files are read afterwards, one by one. The archive exists only once it is
    complete: a failure discards it. The export is recorded in the tenant's audit trail.
    """
    tenant = await existing_tenant(deps.tenants.catalog, reference)
    if tenant.status not in EXPORTABLE:
        raise InvalidTransition(
            f"cannot export a tenant that is {tenant.status.value}", field="status"
        )
    try:
        manifest = await _export(tenant, deps, sink, progress)
    except BaseException:
        await sink.discard()
        raise
    await record_event(
        deps.tenants,
        tenant,
        "exported",
        actor,
        schema_version=manifest.schema_version,
        rows=str(manifest.row_count),
        files=str(len(manifest.files)),
        file_bytes=str(manifest.file_bytes),
    )
    return manifest


async def _export(
    tenant: Tenant, deps: PortabilityDependencies, sink: ArchiveSink, progress: Progress
) -> Manifest:
    newest = deps.rows.schema_versions()[-1]
    try:
        version = await deps.rows.schema_version(tenant.id)
        if version != newest:
            raise Conflict(
                f"the database of '{tenant.slug}' is at schema version {version}, not the "
                f"newest ({newest}): run `passerelle migrate` first",
                code="schema_not_current",
            )
        keys = [
            _exportable_key(key)
            async for key in deps.tenants.storage.keys(tenant.id)
            if not key.startswith(BACKUP_PREFIX)
        ]
        total = len(deps.rows.tables()) + len(keys)
        exported_at = deps.tenants.clock.now()
        tables = await _export_rows(
            tenant.id, deps.rows, sink, lambda done: progress("export", done, total)
        )
        files: list[FileEntry] = []
        for key in keys:
            digest = Digest()
            chunks = deps.tenants.storage.read(tenant.id, key)
            await sink.add(file_member(key), digested(chunks, digest))
            files.append(FileEntry(key, digest.size, digest.sha256))
            progress("export", len(tables) + len(files), total)
        manifest = Manifest(
            exported_at=exported_at,
            tenant=SourceTenant(tenant.id, tenant.slug, tenant.display_name, tenant.limits),
            schema_version=newest,
            tables=tables,
            files=tuple(files),
        )
        await sink.close(manifest.to_json())
    except (ProvisioningError, TenantRowsError, ArchiveError) as exc:
        raise Unavailable(f"export of '{tenant.slug}' failed: {exc}", code="export_failed") from exc
    return manifest


async def _export_rows(
    tenant_id: UUID, rows: TenantRows, sink: ArchiveSink, done: Callable[[int], None]
) -> tuple[TableEntry, ...]:
    """Every table from one snapshot, each as canonical JSON lines."""
    tables: list[TableEntry] = []
    async with rows.snapshot(tenant_id) as reader:
        for name in rows.tables():
            digest = Digest()
            await sink.add(table_member(name), digested(_lines(reader, name), digest))
            tables.append(TableEntry(name, digest.lines, digest.size, digest.sha256))
            done(len(tables))
    return tuple(tables)


async def _lines(reader: RowReader, table: str) -> AsyncIterator[bytes]:
    async for batch in reader.rows(table, BATCH):
        yield b"".join(row_line(row) for row in batch)


def _exportable_key(key: str) -> str:
    try:
        return checked_file_key(key)
    except UnsafeFileKey as exc:
        raise InvalidInput(str(exc), field="files", code="unsafe_file_key") from exc


async def import_tenant(
    source: ArchiveSource,
    deps: PortabilityDependencies,
    *,
    slug: str | None = None,
    actor: str,
    progress: Progress = _silent,
) -> tuple[Tenant, Manifest]:
    """Create a tenant from an archive, under a new id, beside any other.

    Rules: the slug is the archive's unless ``slug`` is given, and must be free. The
    archive's schema version must be one this deployment knows (an older one is imported
    as it is, then migrated); a newer one is refused. Every member is read and checked
    against the manifest before anything is written, so a corrupt or truncated archive
    leaves no tenant, database or file. Then the tenant goes the provisioning road:
    catalog entry ``provisioning``, database, rows (one transaction), files, ``active``.
    A failure there leaves it ``provisioning`` with the error recorded.
    """
    catalog = deps.tenants.catalog
    known = list(deps.rows.schema_versions())
    chosen = validate_slug(slug) if slug is not None else None

    async def acceptable(manifest: Manifest) -> None:
        wanted = chosen or validate_slug(manifest.tenant.slug)
        validate_display_name(manifest.tenant.display_name)
        manifest.tenant.limits.validated()
        _known_schema(manifest, known)
        if await catalog.find_by_slug(wanted) is not None:
            raise SlugTaken(f"slug '{wanted}' is already taken", field="slug")

    manifest, manifest_sha256 = await _verified(source, acceptable, progress)
    now = deps.tenants.clock.now()
    tenant = Tenant(
        id=uuid.uuid4(),
        slug=chosen or manifest.tenant.slug,
        display_name=validate_display_name(manifest.tenant.display_name),
        status=TenantStatus.PROVISIONING,
        created_at=now,
        updated_at=now,
        limits=manifest.tenant.limits,
    )
    await catalog.add(tenant)
    await record_event(
        deps.tenants, tenant, "created", actor, source_tenant_id=str(manifest.tenant.id)
    )
    try:
        verified = VerifiedArchive(manifest, manifest_sha256)
        await write_archive(source, verified, tenant.id, deps, progress)
    except (
        ProvisioningError,
        TenantRowsError,
        ArchiveError,
        ArchiveRejected,
        UnsafeFileKey,
    ) as exc:
        await catalog.save(tenant.provisioning_failed(f"import failed: {exc}", now))
        await record_event(deps.tenants, tenant, "provisioning_failed", actor, error=str(exc))
        raise Unavailable(
            f"import of '{tenant.slug}' failed: {exc}. The tenant stays 'provisioning': "
            "delete it, then import the archive again",
            code="import_failed",
        ) from exc
    active = tenant.activated(deps.tenants.clock.now())
    await catalog.save(active)
    await record_event(
        deps.tenants,
        active,
        "imported",
        actor,
        source_tenant_id=str(manifest.tenant.id),
        source_slug=manifest.tenant.slug,
        exported_at=manifest.exported_at.isoformat(),
        schema_version=manifest.schema_version,
        rows=str(manifest.row_count),
        files=str(len(manifest.files)),
    )
    return active, manifest


@dataclass(frozen=True, slots=True)
class VerifiedArchive:
    manifest: Manifest
    manifest_sha256: str


async def verify_archive_of(
    tenant: Tenant,
    source: ArchiveSource,
    deps: PortabilityDependencies,
    progress: Progress = _silent,
) -> VerifiedArchive:
    """Check that ``source`` is a whole, intact archive of ``tenant`` this deployment can
    read (every checksum), before anything of the tenant is touched."""
    known = list(deps.rows.schema_versions())

    async def acceptable(manifest: Manifest) -> None:
        if manifest.tenant.id != tenant.id:
            raise ArchiveRejected(
                f"the archive holds tenant {manifest.tenant.id}, not '{tenant.slug}'",
                field="backup",
                code="other_tenant",
            )
        _known_schema(manifest, known)

    manifest, manifest_sha256 = await _verified(source, acceptable, progress)
    return VerifiedArchive(manifest, manifest_sha256)


async def write_archive(
    source: ArchiveSource,
    verified: VerifiedArchive,
    tenant_id: UUID,
    deps: PortabilityDependencies,
    progress: Progress = _silent,
) -> None:
    """Write a verified archive into a tenant whose database does not exist yet, then
    bring that database to the newest schema. Raises what ``import_tenant`` catches."""
    manifest = verified.manifest
    await _restore(source, manifest, verified.manifest_sha256, tenant_id, deps, progress)
    if manifest.schema_version != deps.rows.schema_versions()[-1]:
        await deps.tenants.databases.ensure(tenant_id)


def _known_schema(manifest: Manifest, known: list[str]) -> None:
    if manifest.schema_version not in known:
        raise ArchiveRejected(
            f"the archive has tenant schema version {manifest.schema_version}, which this "
            f"deployment does not know (newest known: {known[-1]}): upgrade Passerelle "
            "before importing it",
            field="archive",
            code="schema_too_new",
        )


async def _verified(
    source: ArchiveSource,
    acceptable: Callable[[Manifest], Awaitable[None]],
    progress: Progress,
) -> tuple[Manifest, str]:
    """The manifest and its checksum, once every member matched it; writes nothing.

    ``acceptable`` judges the manifest before the (long) reading of the other members.
    """
    try:
        async with source.members() as members:
            first = await anext(members, None)
            if first is None or first.name != MANIFEST_MEMBER:
                raise ArchiveRejected(
                    f"the archive does not start with {MANIFEST_MEMBER}", field="archive"
                )
            if first.size > MAX_MANIFEST_BYTES:
                raise ArchiveRejected(f"{MANIFEST_MEMBER} is too large", field="archive")
            digest = Digest()
            manifest = parse_manifest(b"".join([c async for c in digested(first.content, digest)]))
            await acceptable(manifest)
            expected = manifest.expected_members()
            for done, (name, entry) in enumerate(expected, start=1):
                await _check_member(await _next_member(members, name), entry)
                progress("verify", done, len(expected))
            extra = await anext(members, None)
            if extra is not None:
                raise ArchiveRejected(
                    f"{extra.name} is in the archive but not in its manifest", field="archive"
                )
    except ArchiveError as exc:
        raise ArchiveRejected(f"the archive cannot be read: {exc}", field="archive") from exc
    return manifest, digest.sha256


async def _check_member(member: ArchiveMember, entry: TableEntry | FileEntry) -> None:
    digest = Digest()
    content = digested(member.content, digest)
    if isinstance(entry, TableEntry):
        async for _ in parsed_rows(content, member.name):
            pass
    else:
        async for _ in content:
            pass
    digest.check(member.name, entry)


async def _restore(
    source: ArchiveSource,
    manifest: Manifest,
    manifest_sha256: str,
    tenant_id: UUID,
    deps: PortabilityDependencies,
    progress: Progress,
) -> None:
    """Database at the archive's schema version, its rows in one transaction, then files."""
    await deps.tenants.databases.ensure(tenant_id, schema_version=manifest.schema_version)
    await deps.tenants.storage.ensure(tenant_id)
    total = len(manifest.tables) + len(manifest.files)
    async with source.members() as members:
        first = await _next_member(members, MANIFEST_MEMBER)
        digest = Digest()
        async for _ in digested(first.content, digest):
            pass
        if digest.sha256 != manifest_sha256:
            raise ArchiveRejected(f"{MANIFEST_MEMBER} changed during the import", field="archive")
        async with deps.rows.loader(tenant_id) as writer:
            for done, table in enumerate(manifest.tables, start=1):
                await _write_rows(
                    await _next_member(members, table_member(table.name)), table, writer
                )
                progress("import", done, total)
        for done, file in enumerate(manifest.files, start=len(manifest.tables) + 1):
            member = await _next_member(members, file_member(file.key))
            digest = Digest()
            await deps.tenants.storage.write(tenant_id, file.key, digested(member.content, digest))
            digest.check(member.name, file)
            progress("import", done, total)


async def _write_rows(member: ArchiveMember, table: TableEntry, writer: RowWriter) -> None:
    """Rows in batches; a checksum mismatch found at the end undoes them with the transaction."""
    digest = Digest()
    batch: list[Row] = []
    async for row in parsed_rows(digested(member.content, digest), member.name):
        batch.append(row)
        if len(batch) == BATCH:
            await writer.write(table.name, batch)
            batch = []
    await writer.write(table.name, batch)
    digest.check(member.name, table)


async def _next_member(members: AsyncIterator[ArchiveMember], name: str) -> ArchiveMember:
    member = await anext(members, None)
    if member is None:
        raise ArchiveRejected(f"the archive ends before {name}: it is truncated", field="archive")
    if member.name != name:
        raise ArchiveRejected(
            f"expected {name} in the archive, found {member.name}", field="archive"
        )
    return member
