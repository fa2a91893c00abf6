"""`passerelle migrate`: the control database, then every tenant database."""

from __future__ import annotations

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from apps.cli.output import ExitCode, console, emit_json, errors, fail
from apps.cli.runtime import run_with_container
from apps.config.settings import Settings
from apps.container import Container
from apps.maintenance import MigrationReport, migrate_control, migrate_tenants, tenants_to_migrate
from core.tenants.model import Tenant


def migrate_command(settings: Settings, as_json: bool, concurrency: int) -> None:
    async def work(container: Container) -> MigrationReport:
        await migrate_control(container)
        tenants = await tenants_to_migrate(container)
        progress = Progress(
            TextColumn("migrating tenants"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=errors,
            disable=as_json,
        )

        def done(tenant: Tenant, error: str | None) -> None:
            progress.advance(task)
            if error and not as_json:
                progress.console.print(f"[red]failed[/] {tenant.slug}: {error}")

        with progress:
            task = progress.add_task("tenants", total=len(tenants))
            return await migrate_tenants(container, tenants, done, concurrency=concurrency)

    report = run_with_container(settings, work, needs_schema=False)
    if as_json:
        emit_json(
            {
                "control": "migrated",
                "tenants_migrated": len(report.migrated),
                "tenants_skipped": len(report.skipped),
                "tenants_failed": {str(k): v for k, v in report.failed.items()},
            }
        )
    else:
        console.print(
            f"control database migrated; tenant databases: {len(report.migrated)} migrated, "
            f"{len(report.skipped)} already at head, {len(report.failed)} failed"
        )
    if report.failed:
        fail(
            "some tenant databases did not migrate; run `passerelle migrate` again", ExitCode.FAILED
        )
