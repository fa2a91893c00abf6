"""`passerelle secrets ...`: keys sealing webhook secrets, and sealing again after rotation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated

import typer

from adapters.aesgcm.sealer import new_key
from apps.cli.options import ConfigOption, JsonOption
from apps.cli.output import ExitCode, console, emit_json, errors
from apps.cli.runtime import run_with_container, settings_or_exit
from apps.container import Container
from apps.maintenance import tenants_in_use
from core.tenants.portability import EXPORTABLE
from ports.secret_sealer import SecretUnreadable

app = typer.Typer(help="Keys sealing the secrets kept in tenant databases.", no_args_is_help=True)


@app.command("new-key")
def new_key_command() -> None:
    """Print a fresh key for encryption.keys (put it first to make it the sealing key)."""
    typer.echo(new_key())


@app.command("reseal")
def reseal_command(
    tenant: Annotated[
        str | None, typer.Option(help="One tenant's slug or id; default: every tenant.")
    ] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Seal every webhook secret with the first key of encryption.keys.

    Seals the secrets stored in the clear before sealing existed and those sealed with an
    older key; after it succeeds the older keys can be removed. Safe to run again. Exits 1
    when a tenant's secret did not open (a key missing from encryption.keys).
    """
    settings = settings_or_exit(config)

    async def work(container: Container) -> list[Resealed]:
        done: list[Resealed] = []
        for each in await tenants_in_use(container, tenant, statuses=EXPORTABLE):
            try:
                async with container.tenant_uow()(each.id) as uow:
                    count = await uow.webhook_endpoints.reseal_secrets()
                    await uow.commit()
                done.append(Resealed(each.slug, count))
            except SecretUnreadable as exc:
                done.append(Resealed(each.slug, 0, str(exc)))
        return done

    results = run_with_container(settings, work)
    if as_json:
        emit_json([asdict(result) for result in results])
    else:
        for result in results:
            if result.error is None:
                console.print(f"{result.tenant}: {result.resealed} webhook secret(s) sealed")
            else:
                errors.print(f"{result.tenant}: {result.error}", highlight=False)
    if any(result.error is not None for result in results):
        raise typer.Exit(ExitCode.FAILED)


@dataclass(frozen=True)
class Resealed:
    tenant: str
    resealed: int
    error: str | None = None
