"""`passerelle tenants purge|reconcile`: upkeep of the catalog against the tenants'
databases and directories, beside the commands on one tenant (registered on the same
`tenants` group)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from apps.cli.options import ConfigOption, JsonOption
from apps.cli.output import ExitCode, console, emit_json
from apps.cli.runtime import run_with_container, settings_or_exit
from apps.cli.tenant_commands import app, cli_actor
from apps.container import Container
from core.tenants import lifecycle


@app.command("purge")
def purge(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Purge now every deleted tenant whose grace period has ended (workers also do this)."""

    async def work(container: Container) -> lifecycle.PurgeReport:
        return await lifecycle.purge_due_tenants(container.tenant_dependencies(), actor=cli_actor())

    report = run_with_container(settings_or_exit(config), work)
    if as_json:
        emit_json({"purged": [t.slug for t in report.purged], "failed": report.failed})
    else:
        console.print(f"{len(report.purged)} tenant(s) purged, {len(report.failed)} failed")
        for slug, error in report.failed.items():
            console.print(f"[red]failed[/] {slug}: {escape(str(error))}")
    if report.failed:
        raise typer.Exit(int(ExitCode.FAILED))


@app.command("reconcile")
def reconcile(
    clean: Annotated[
        bool, typer.Option("--clean", help="Drop orphan databases and directories.")
    ] = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find databases and directories that belong to no tenant, and tenants missing theirs.

    Exits 1 when anything is out of place (after --clean, when a live tenant lacks data).
    """

    async def work(container: Container) -> lifecycle.ReconcileReport:
        return await lifecycle.reconcile_tenants(
            container.tenant_dependencies(), actor=cli_actor(), remove_orphans=clean
        )

    report = run_with_container(settings_or_exit(config), work)
    found = {
        "orphan_databases": sorted(map(str, report.orphan_databases)),
        "orphan_directories": sorted(map(str, report.orphan_directories)),
        "missing_databases": sorted(map(str, report.missing_databases)),
        "missing_directories": sorted(map(str, report.missing_directories)),
        "cleaned": report.cleaned,
    }
    if as_json:
        emit_json(found)
    else:
        for key, ids in found.items():
            if isinstance(ids, list) and ids:
                console.print(f"[yellow]{key.replace('_', ' ')}[/]: {', '.join(ids)}")
        if report.clean:
            console.print("catalog, databases and directories agree")
    unresolved = report.missing_databases or report.missing_directories
    if unresolved or (not report.clean and not clean):
        raise typer.Exit(int(ExitCode.FAILED))
