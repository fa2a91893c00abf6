"""`passerelle tenants export`/`import` (an archive file) and `backup`/`backups`/`restore`
(archives kept in blob storage).

Registered on the `tenants` command group; the archive format is described in
``core.tenants.archive_format``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from apps.cli.options import ConfigOption, JsonOption
from apps.cli.output import ExitCode, console, data_row, data_table, emit_json, errors, fail
from apps.cli.runtime import run_with_container, settings_or_exit
from apps.cli.tenant_commands import TenantArgument, app, cli_actor
from apps.container import Container
from core.tenants import backups, portability
from core.tenants.archive_format import Manifest
from core.tenants.model import Tenant

_STAGES = {
    "export": "exporting rows and files",
    "verify": "checking every checksum",
    "import": "writing rows and files",
}


@contextmanager
def _progress_bar() -> Iterator[portability.Progress]:
    """A bar per stage on stderr, so that --json output stays clean."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=errors, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(_STAGES.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield report


def _contents(manifest: Manifest) -> dict[str, Any]:
    return {
        "schema_version": manifest.schema_version,
        "exported_at": manifest.exported_at.isoformat(),
        "tables": {table.name: table.rows for table in manifest.tables},
        "rows": manifest.row_count,
        "files": len(manifest.files),
        "file_bytes": manifest.file_bytes,
    }


@app.command("export")
def export(
    tenant: TenantArgument,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Archive file to write (.tar.gz).")
    ],
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export a tenant to an archive file: its rows, its files and a manifest of checksums.

    The archive appears complete or not at all; an existing file is never overwritten.
    The tenant's database must be at the newest schema (`passerelle migrate`).
    Exits 3 when the tenant cannot be exported or the file exists, 69 when reading failed.
    """
    if output.exists():
        fail(f"{output} already exists", ExitCode.REFUSED)
    if not output.parent.is_dir():
        fail(f"no folder {output.parent} to write the archive in", ExitCode.REFUSED)
    settings = settings_or_exit(config)

    with _progress_bar() as progress:

        async def work(container: Container) -> Manifest:
            sink = container.tenant_archives().create(output)
            deps = container.portability_dependencies()
            return await portability.export_tenant(
                tenant, deps, sink, actor=cli_actor(), progress=progress
            )

        manifest = run_with_container(settings, work)
    source = manifest.tenant
    if as_json:
        emit_json(
            {
                "archive": str(output),
                "id": str(source.id),
                "slug": source.slug,
                **_contents(manifest),
            }
        )
    else:
        console.print(
            f"tenant [bold]{source.slug}[/] exported to {output}: {manifest.row_count} rows "
            f"in {len(manifest.tables)} tables, {len(manifest.files)} files"
        )


@app.command("import")
def import_archive(
    archive: Annotated[Path, typer.Argument(help="An archive written by `tenants export`.")],
    slug: Annotated[
        str | None, typer.Option(help="Slug of the new tenant (default: the archive's).")
    ] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a tenant from an archive file, under a new id (so even beside the original).

    Every checksum is checked before anything is written. An archive of an older schema is
    migrated after import; a newer one is refused. Exits 3 when the archive is refused or
    the slug is taken, 69 when writing failed (the tenant then stays 'provisioning').
    """
    if not archive.is_file():
        fail(f"no archive file {archive}", ExitCode.REFUSED)
    settings = settings_or_exit(config)

    with _progress_bar() as progress:

        async def work(container: Container) -> tuple[Tenant, Manifest]:
            source = container.tenant_archives().open(archive)
            deps = container.portability_dependencies()
            return await portability.import_tenant(
                source, deps, slug=slug, actor=cli_actor(), progress=progress
            )

        tenant, manifest = run_with_container(settings, work)
    if as_json:
        emit_json(
            {
                "id": str(tenant.id),
                "slug": tenant.slug,
                "status": tenant.status.value,
                "source": {"id": str(manifest.tenant.id), "slug": manifest.tenant.slug},
                **_contents(manifest),
            }
        )
    else:
        console.print(
            f"tenant [bold]{tenant.slug}[/] imported ({tenant.id}) from {archive}: "
            f"{manifest.row_count} rows, {len(manifest.files)} files"
        )


def _backup_json(backup: backups.Backup) -> dict[str, Any]:
    return {
        "name": backup.name,
        "size": backup.size,
        "created_at": backup.created_at.isoformat(),
        "sha256": backup.sha256,
        "daily": backup.daily,
    }


@app.command("backup")
def backup(
    tenant: TenantArgument, config: ConfigOption = None, as_json: JsonOption = False
) -> None:
    """Back a tenant up now, into its storage directory (`backups/manual-<time>-<id>.tar.gz`).

    The same archive as `tenants export`, kept in blob storage beside the daily backups
    the workers make; manual backups are never pruned. Exits 3 when the tenant cannot be
    exported, 69 when storage or the database failed.

    **Examples**

    ```sh
    passerelle tenants backup acme
    passerelle tenants backup acme --json | jq -r .name
    ```
    """
    settings = settings_or_exit(config)
    with _progress_bar() as progress:

        async def work(container: Container) -> backups.Backup:
            return await backups.back_up(
                tenant, container.backup_dependencies(), actor=cli_actor(), progress=progress
            )

        made = run_with_container(settings, work)
    if as_json:
        emit_json(_backup_json(made))
    else:
        console.print(f"backup [bold]{made.name}[/] made ({made.size} bytes)")


@app.command("backups")
def list_backups(
    tenant: TenantArgument, config: ConfigOption = None, as_json: JsonOption = False
) -> None:
    """List a tenant's backups, oldest first: daily ones (pruned to `backups.keep_daily`),
    manual ones and the pre-restore ones `tenants restore` makes."""
    settings = settings_or_exit(config)

    async def work(container: Container) -> list[backups.Backup]:
        return await backups.list_backups(tenant, container.backup_dependencies())

    found = run_with_container(settings, work)
    if as_json:
        emit_json([_backup_json(b) for b in found])
        return
    table = data_table("name", "size", "made at (UTC)")
    for item in found:
        data_row(table, item.name, f"{item.size:,}", f"{item.created_at:%Y-%m-%d %H:%M:%S}")
    console.print(table if found else "no backups yet")


@app.command("restore")
def restore(
    tenant: TenantArgument,
    backup_name: Annotated[
        str | None,
        typer.Option(
            "--backup",
            help="Backup to restore (see `tenants backups`); default: the newest one not made "
            "by a restore, so a failed restore is retried from the same backup.",
        ),
    ] = None,
    safety_backup: Annotated[
        bool,
        typer.Option(
            "--safety-backup/--no-safety-backup",
            help="Back the current state up first, so the restore can be undone; skip it "
            "only when the tenant's database cannot be exported any more.",
        ),
    ] = True,
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: the tenant's rows and files are replaced.")
    ] = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bring a tenant back to one of its backups, in place (same id, same slug).

    Every checksum is checked before anything changes. The tenant is suspended meanwhile
    (its users get 403 `tenant_suspended`) and resumed if it was active. If writing fails
    it stays suspended: run the restore again. Exits 2 without --yes, 3 when the backup
    is refused or missing, 69 when storage or the database failed.

    **Examples**

    ```sh
    passerelle tenants backups acme
    passerelle tenants restore acme --yes
    passerelle tenants restore acme --backup daily-2026-11-28.tar.gz --yes
    ```
    """
    if not yes:
        fail("restoring replaces the tenant's rows and files: add --yes", ExitCode.USAGE)
    settings = settings_or_exit(config)
    with _progress_bar() as progress:

        async def work(container: Container) -> tuple[Tenant, backups.Backup]:
            return await backups.restore(
                tenant,
                backup_name,
                container.backup_dependencies(),
                actor=cli_actor(),
                safety_backup=safety_backup,
                progress=progress,
            )

        restored, used = run_with_container(settings, work)
    if as_json:
        emit_json(
            {"id": str(restored.id), "slug": restored.slug, "status": restored.status.value}
            | {"backup": _backup_json(used)}
        )
    else:
        console.print(
            f"tenant [bold]{restored.slug}[/] restored from {used.name}; "
            f"it is {restored.status.value}"
        )
