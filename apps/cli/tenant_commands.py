"""`passerelle tenants ...`: the same tenant use cases as the operator API."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.table import Table

from apps.cli.options import ConfigOption, JsonOption
from apps.cli.output import console, emit_json
from apps.cli.runtime import run_with_container, settings_or_exit
from apps.container import Container
from core.identity.model import User
from core.tenants.model import Tenant
from core.tenants.services import CreateTenant, create_tenant
from ports.pagination import PageRequest

app = typer.Typer(help="Create and list tenants.", no_args_is_help=True)
PASSWORD_VARIABLE = "PASSERELLE_ADMIN_PASSWORD"  # noqa: S105 - a variable name


@app.command("create")
def create(
    slug: Annotated[str, typer.Option(help="DNS label; the tenant is <slug>.<base domain>.")],
    name: Annotated[str, typer.Option(help="Display name of the customer company.")],
    admin_email: Annotated[str, typer.Option(help="E-mail address of the first admin.")],
    admin_name: Annotated[str, typer.Option(help="Name of the first admin.")],
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a tenant: catalog entry, database, migrations, first admin.

    The admin password is read from PASSERELLE_ADMIN_PASSWORD, or asked for (hidden)
    when a terminal is attached. Exits 3 when the slug is taken or a value is refused.
    """
    password = os.environ.get(PASSWORD_VARIABLE) or typer.prompt(
        "Admin password", hide_input=True, confirmation_prompt=True
    )
    settings = settings_or_exit(config)

    async def work(container: Container) -> tuple[Tenant, User]:
        request = CreateTenant(
            slug=slug,
            display_name=name,
            admin_email=admin_email,
            admin_password=password,
            admin_name=admin_name,
        )
        return await create_tenant(request, container.tenant_dependencies())

    tenant, admin = run_with_container(settings, work)
    if as_json:
        emit_json(
            {"id": tenant.id, "slug": tenant.slug, "status": tenant.status, "admin_id": admin.id}
        )
    else:
        console.print(f"tenant [bold]{tenant.slug}[/] created ({tenant.id}), admin {admin.email}")


@app.command("list")
def list_tenants(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """List tenants, oldest first."""
    settings = settings_or_exit(config)

    async def work(container: Container) -> list[Tenant]:
        page = await container.catalog().list(PageRequest(limit=1000))
        return page.items

    tenants = run_with_container(settings, work)
    if as_json:
        emit_json(
            [
                {"id": t.id, "slug": t.slug, "name": t.display_name, "status": t.status}
                for t in tenants
            ]
        )
        return
    table = Table(title="Tenants")
    for column in ("slug", "name", "status", "id"):
        table.add_column(column)
    for t in tenants:
        table.add_row(t.slug, t.display_name, t.status.value, str(t.id))
    console.print(table)
