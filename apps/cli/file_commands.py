"""`passerelle files ...`: keep every tenant's file rows and blobs in agreement."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from apps.cli.fleet import TenantRound, exit_if_any_failed, print_failures, tenant_by_tenant
from apps.cli.options import (
    ConfigOption,
    EveryTenantArgument,
    JsonOption,
    TenantOption,
    one_tenant,
)
from apps.cli.output import ExitCode, console, data_row, data_table, emit_json, errors
from apps.cli.runtime import run_with_container, settings_or_exit
from apps.container import Container
from apps.maintenance import tenants_in_use
from core.files.reconcile import Reconciliation, reconcile
from core.tenants.model import Tenant
from core.tenants.portability import EXPORTABLE

app = typer.Typer(help="Files of tenants: rows and blobs.", no_args_is_help=True)


@app.command("reconcile")
def reconcile_command(
    tenant: EveryTenantArgument = None,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Delete blobs without rows (older than storage.orphan_grace_seconds), rows "
            "without blobs and expired unconfirmed uploads.",
        ),
    ] = False,
    tenant_option: TenantOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find blobs without rows, rows without blobs and expired uploads, per tenant.

    Name one tenant as TENANT (`--tenant` does the same, for scripts written before).
    A tenant whose database is missing, lacks migrations or fails is named with the
    reason, and the others are still reconciled.

    Exits 0 when nothing is left to fix, 1 when findings remain (without --repair, or blobs
    still inside the grace period) or a tenant failed, 3 for an unknown or purged tenant,
    69 when storage or the control database does not answer.

    **Examples**

    ```sh
    passerelle files reconcile
    passerelle files reconcile acme --repair
    passerelle files reconcile --json | jq '.[] | select(.error != null)'
    ```
    """
    settings = settings_or_exit(config)
    chosen = one_tenant(tenant, tenant_option)
    grace = timedelta(seconds=settings.storage.orphan_grace_seconds)

    async def work(container: Container) -> TenantRound[Reconciliation]:
        tenants = await tenants_in_use(container, chosen, statuses=EXPORTABLE)
        deps = container.file_dependencies()
        bar = Progress(
            TextColumn("reconciling files"),
            BarColumn(),
            MofNCompleteColumn(),
            console=errors,
            transient=True,
            disable=as_json,
        )

        async def one(each: Tenant) -> Reconciliation:
            now = container.clock().now()
            return await reconcile(
                each.id, deps.tenant_uow, deps.blobs, now, repair=repair, grace=grace
            )

        with bar:
            task = bar.add_task("tenants", total=len(tenants))
            return await tenant_by_tenant(
                container, tenants, one, after_each=lambda: bar.advance(task)
            )

    results = run_with_container(settings, work)
    if as_json:
        emit_json([_as_json(t, r) for t, r in results.done] + _failed_json(results.failed))
    else:
        _print(results.done, repair)
        print_failures(results.failed)
    exit_if_any_failed(results.failed, "passerelle files reconcile")
    if any(_left(r, repair) for _, r in results.done):
        raise typer.Exit(ExitCode.FAILED)


def _left(result: Reconciliation, repair: bool) -> bool:
    found = len(result.orphan_blobs) + len(result.missing_blobs) + len(result.expired_uploads)
    return found > (result.repaired if repair else 0)


def _print(results: list[tuple[Tenant, Reconciliation]], repair: bool) -> None:
    table = data_table(
        "tenant",
        "files",
        "blobs",
        "blobs without row",
        "rows without blob",
        "expired uploads",
        "repaired",
        title="File reconciliation" + (" (repaired)" if repair else ""),
    )
    for tenant, r in results:
        data_row(
            table,
            tenant.slug,
            str(r.files),
            str(r.blobs),
            str(len(r.orphan_blobs)),
            str(len(r.missing_blobs)),
            str(len(r.expired_uploads)),
            str(r.repaired),
        )
    console.print(table)


def _as_json(tenant: Tenant, r: Reconciliation) -> dict[str, object]:
    return {
        "tenant": tenant.slug,
        "tenant_id": str(tenant.id),
        "files": r.files,
        "blobs": r.blobs,
        "blobs_without_row": [
            {"key": b.key, "size": b.size, "updated": b.updated.isoformat()} for b in r.orphan_blobs
        ],
        "rows_without_blob": [
            {"file_id": str(f.id), "name": f.name, "size": f.size} for f in r.missing_blobs
        ],
        "expired_uploads": [str(f.id) for f in r.expired_uploads],
        "repaired": r.repaired,
        "error": None,
    }


def _failed_json(failed: list[tuple[Tenant, str]]) -> list[dict[str, object]]:
    """Beside the reports, with the same keys (null where nothing was found, as nothing was
    looked at), so that one filter on ``error`` finds them."""
    return [
        {
            "tenant": t.slug,
            "tenant_id": str(t.id),
            "files": None,
            "blobs": None,
            "blobs_without_row": None,
            "rows_without_blob": None,
            "expired_uploads": None,
            "repaired": None,
            "error": reason,
        }
        for t, reason in failed
    ]
