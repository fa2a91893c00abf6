"""`passerelle retention run`: purge what tenants' retention policies let go, now."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Annotated

import typer

from apps.cli.options import (
    ConfigOption,
    EveryTenantArgument,
    JsonOption,
    TenantOption,
    one_tenant,
)
from apps.cli.output import ExitCode, console, data_row, data_table, emit_json, fail
from apps.cli.runtime import run_with_container, settings_or_exit
from apps.container import Container
from apps.maintenance import tenants_in_use
from core.retention.services import RetentionRound, purge_every_tenant
from plugins.builtin.retention import SETTINGS_KEY, RetentionSettings
from plugins.registry import validated_block

PLUGIN = "plugins.builtin.retention"
app = typer.Typer(help="Retention: purge by each tenant's policy.", no_args_is_help=True)


@app.command("run")
def run_command(
    tenant: EveryTenantArgument = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be purged; delete nothing.")
    ] = False,
    tenant_option: TenantOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Purge ended sessions, files, audit events and finished notifications older than each
    tenant's policy, as the worker does. Exits 1 if a tenant failed, 3 for an unknown
    tenant or one whose data is not in use, 78 when the retention plugin is disabled or
    its settings are invalid.

    Name one tenant as TENANT (`--tenant` does the same, for scripts written before);
    without one, every active tenant.

    **Examples**

    ```sh
    passerelle retention run --dry-run
    passerelle retention run acme
    passerelle retention run --json | jq '.failed'
    ```
    """
    settings = settings_or_exit(config)
    chosen = one_tenant(tenant, tenant_option)
    if PLUGIN in settings.disabled_plugins:
        fail(f"{PLUGIN} is disabled (disabled_plugins)", ExitCode.CONFIG)
    batch = validated_block(settings.plugins, SETTINGS_KEY, RetentionSettings).batch_size

    async def work(container: Container) -> RetentionRound:
        deps = replace(container.retention_dependencies(), batch_size=batch)
        return await purge_every_tenant(deps, slug=await _slug(container, chosen), dry_run=dry_run)

    done = run_with_container(settings, work)
    if as_json:
        emit_json(
            {
                "dry_run": dry_run,
                "tenants": [{**asdict(r), "tenant_id": str(r.tenant_id)} for r in done.reports],
                "failed": done.failed,
            }
        )
    else:
        _print(done, dry_run)
    if done.failed:
        raise typer.Exit(ExitCode.FAILED)


async def _slug(container: Container, reference: str | None) -> str | None:
    """The slug of the tenant named by slug or id, resolved as the other tenant commands
    resolve theirs; None (every active tenant) when none is named."""
    if reference is None:
        return None
    [tenant] = await tenants_in_use(container, reference)
    return tenant.slug


def _print(done: RetentionRound, dry_run: bool) -> None:
    table = data_table(
        "tenant",
        "sessions",
        "files",
        "audit events",
        "notifications",
        title="Retention purge" + (" (dry run: nothing deleted)" if dry_run else ""),
    )
    for r in done.reports:
        data_row(table, r.slug, r.sessions, r.files, r.audit_events, r.outbox)
    for slug, error in done.failed.items():
        data_row(table, slug, f"failed: {error}", "", "", "")
    console.print(table)
