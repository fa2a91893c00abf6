"""`passerelle secrets ...`: keys sealing webhook secrets, and sealing again after rotation."""

from __future__ import annotations

import typer

from adapters.aesgcm.sealer import new_key
from apps.cli.fleet import TenantRound, exit_if_any_failed, print_failures, tenant_by_tenant
from apps.cli.options import (
    ConfigOption,
    EveryTenantArgument,
    JsonOption,
    TenantOption,
    one_tenant,
)
from apps.cli.output import console, emit_json
from apps.cli.runtime import run_with_container, settings_or_exit
from apps.container import Container
from apps.maintenance import tenants_in_use
from core.tenants.model import Tenant
from core.tenants.portability import EXPORTABLE
from ports.secret_sealer import SecretUnreadable

app = typer.Typer(help="Keys sealing the secrets kept in tenant databases.", no_args_is_help=True)


@app.command("new-key")
def new_key_command() -> None:
    """Print a fresh key for encryption.keys (put it first to make it the sealing key)."""
    typer.echo(new_key())


@app.command("reseal")
def reseal_command(
    tenant: EveryTenantArgument = None,
    tenant_option: TenantOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Seal every webhook secret with the first key of encryption.keys.

    Seals the secrets stored in the clear before sealing existed and those sealed with an
    older key; after it succeeds the older keys can be removed. Safe to run again. Name
    one tenant as TENANT (`--tenant` does the same, for scripts written before).

    A tenant whose secret did not open (a key missing from encryption.keys), or whose
    database is missing, lacks migrations or fails, is named with the reason and the
    others are still resealed; the command then exits 1.

    **Examples**

    ```sh
    passerelle secrets reseal
    passerelle secrets reseal acme
    passerelle secrets reseal --json | jq -r '.[] | select(.error) | .tenant'
    ```
    """
    settings = settings_or_exit(config)
    chosen = one_tenant(tenant, tenant_option)

    async def work(container: Container) -> TenantRound[int]:
        async def reseal(each: Tenant) -> int:
            async with container.tenant_uow()(each.id) as uow:
                count = await uow.webhook_endpoints.reseal_secrets()
                await uow.commit()
            return count

        tenants = await tenants_in_use(container, chosen, statuses=EXPORTABLE)
        return await tenant_by_tenant(container, tenants, reseal, failures=(SecretUnreadable,))

    results = run_with_container(settings, work)
    if as_json:
        emit_json(
            [_entry(t, count, None) for t, count in results.done]
            + [_entry(t, 0, reason) for t, reason in results.failed]
        )
    else:
        for each, count in results.done:
            console.print(f"{each.slug}: {count} webhook secret(s) sealed")
        print_failures(results.failed)
    exit_if_any_failed(results.failed, "passerelle secrets reseal")


def _entry(tenant: Tenant, resealed: int, error: str | None) -> dict[str, object]:
    return {
        "tenant": tenant.slug,
        "tenant_id": str(tenant.id),
        "resealed": resealed,
        "error": error,
    }
