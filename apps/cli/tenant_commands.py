"""`passerelle tenants ...`: the same tenant use cases as the operator API.

A tenant is named by its slug or its id wherever a command takes TENANT.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import asdict, replace
from datetime import timedelta
from typing import Annotated, Any, Protocol
from uuid import UUID

import typer

from apps.cli.options import ConfigOption, JsonOption
from apps.cli.output import ExitCode, console, data_row, data_table, emit_json, fail
from apps.cli.runtime import run_with_container, settings_or_exit
from apps.container import Container
from core.identity.model import User
from core.tenants import lifecycle, origins
from core.tenants.model import PlanLimits, Tenant, TenantStatus
from core.tenants.services import (
    CreateTenant,
    TenantDependencies,
    create_tenant,
    existing_tenant,
    provision_tenant,
)
from ports.pagination import PageRequest, Position

app = typer.Typer(help="Create, inspect and manage tenants.", no_args_is_help=True)
PASSWORD_VARIABLE = "PASSERELLE_ADMIN_PASSWORD"  # noqa: S105 - a variable name


class TenantChange(Protocol):
    async def __call__(
        self, reference: UUID | str, deps: TenantDependencies, *, actor: str
    ) -> Tenant: ...


TenantArgument = Annotated[
    str, typer.Argument(help="The tenant's slug or id.", metavar="TENANT", show_default=False)
]
MaxUsers = Annotated[int | None, typer.Option(help="Plan limit: users.")]
MaxSessions = Annotated[int | None, typer.Option(help="Plan limit: concurrent sessions.")]
Minutes = Annotated[int | None, typer.Option(help="Plan limit: session minutes per month.")]
Quota = Annotated[int | None, typer.Option(help="Plan limit: storage quota in bytes.")]
FileSize = Annotated[int | None, typer.Option(help="Plan limit: largest file in bytes.")]


def cli_actor() -> str:
    """Who the audit trail records for a change made from this command line."""
    return f"cli:{getpass.getuser()}"


def _tenant_json(tenant: Tenant) -> dict[str, Any]:
    return {
        "id": str(tenant.id),
        "slug": tenant.slug,
        "display_name": tenant.display_name,
        "status": tenant.status.value,
        "placement": tenant.placement.value,
        "limits": asdict(tenant.limits),
        "allowed_origins": list(tenant.allowed_origins),
        "provisioning_error": tenant.provisioning_error,
        "created_at": tenant.created_at.isoformat(),
        "purge_after": tenant.purge_after.isoformat() if tenant.purge_after else None,
    }


def _run_on_tenant(
    config: ConfigOption,
    as_json: bool,
    work: Callable[[Container], Awaitable[Tenant]],
    message: str,
) -> None:
    tenant = run_with_container(settings_or_exit(config), work)
    if as_json:
        emit_json(_tenant_json(tenant))
    else:
        console.print(message.format(slug=tenant.slug, status=tenant.status.value, t=tenant))


def _asked_password() -> str:
    """Asked on the terminal (prompts on stderr, so --json output stays JSON alone)."""
    if not sys.stdin.isatty():
        fail(f"no terminal to ask the admin password: set {PASSWORD_VARIABLE}", ExitCode.USAGE)
    password: str = typer.prompt(
        "Admin password", hide_input=True, confirmation_prompt=True, err=True
    )
    return password


def _limit_changes(**limits: int | None) -> dict[str, int]:
    return {name: value for name, value in limits.items() if value is not None}


@app.command("create")
def create(
    slug: Annotated[str, typer.Option(help="DNS label; the tenant is <slug>.<base domain>.")],
    name: Annotated[str, typer.Option(help="Display name of the customer company.")],
    admin_email: Annotated[str, typer.Option(help="E-mail address of the first admin.")],
    admin_name: Annotated[str, typer.Option(help="Name of the first admin.")],
    max_users: MaxUsers = None,
    max_concurrent_sessions: MaxSessions = None,
    monthly_session_minutes: Minutes = None,
    storage_quota_bytes: Quota = None,
    max_file_bytes: FileSize = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            help=(
                "Dedicated placement: the tenant's own database URL (else shared); a SQLite "
                "path is relative to the data directory."
            )
        ),
    ] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a tenant: catalog entry, database, migrations, directory, first admin.

    The admin password is read from PASSERELLE_ADMIN_PASSWORD, or asked for (hidden)
    when a terminal is attached; without one, exits 2. Exits 3 when the slug is taken or a
    value is refused,
    69 when provisioning failed (the tenant stays 'provisioning': run `tenants provision`).

    **Examples**

    ```sh
    passerelle tenants create --slug acme --name "ACME Corp" \\
        --admin-email ops@acme.example --admin-name "Ada Lovelace"
    export PASSERELLE_ADMIN_PASSWORD="$(cat admin-password)"
    passerelle tenants create --slug beta --name "Beta Ltd" --admin-name Bo \\
        --admin-email ops@beta.example --max-users 80 --json | jq -r .id
    ```
    """
    settings = settings_or_exit(config)
    password = os.environ.get(PASSWORD_VARIABLE) or _asked_password()
    limits = replace(
        PlanLimits(),
        **_limit_changes(
            max_users=max_users,
            max_concurrent_sessions=max_concurrent_sessions,
            monthly_session_minutes=monthly_session_minutes,
            storage_quota_bytes=storage_quota_bytes,
            max_file_bytes=max_file_bytes,
        ),
    )

    async def work(container: Container) -> tuple[Tenant, User]:
        request = CreateTenant(slug, name, admin_email, password, admin_name, limits, database_url)
        return await create_tenant(request, container.tenant_dependencies(), actor=cli_actor())

    tenant, admin = run_with_container(settings, work)
    if as_json:
        emit_json({**_tenant_json(tenant), "admin_id": str(admin.id)})
    else:
        console.print(f"tenant [bold]{tenant.slug}[/] created ({tenant.id}), admin {admin.email}")


@app.command("list")
def list_tenants(
    status: Annotated[TenantStatus | None, typer.Option(help="Only tenants in this state.")] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """List tenants, oldest first.

    **Examples**

    ```sh
    passerelle tenants list --status suspended
    passerelle tenants list --status active --json | jq -r '.[].slug'
    ```
    """

    async def work(container: Container) -> list[Tenant]:
        found: list[Tenant] = []
        after: Position | None = None
        while True:
            page = await container.catalog().browse(PageRequest(500, after), status=status)
            found += page.items
            if page.next is None:
                return found
            after = page.next

    tenants = run_with_container(settings_or_exit(config), work)
    if as_json:
        emit_json([_tenant_json(t) for t in tenants])
        return
    table = data_table(
        "slug",
        "name",
        "status",
        "max users",
        "max sessions",
        "id",
        title=f"Tenants ({len(tenants)})",
    )
    for t in tenants:
        data_row(
            table,
            t.slug,
            t.display_name,
            t.status.value,
            str(t.limits.max_users),
            str(t.limits.max_concurrent_sessions),
            str(t.id),
        )
    console.print(table)


@app.command("show")
def show(tenant: TenantArgument, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Show one tenant: state, placement, limits, provisioning error.

    **Examples**

    ```sh
    passerelle tenants show acme
    passerelle tenants show acme --json | jq .limits
    ```
    """

    async def work(container: Container) -> Tenant:
        return await existing_tenant(container.catalog(), tenant)

    found = run_with_container(settings_or_exit(config), work)
    if as_json:
        emit_json(_tenant_json(found))
        return
    table = data_table("field", "value", title=f"Tenant {found.slug}")
    for name, value in _tenant_json(found).items():
        shown = (
            ", ".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else value
        )
        data_row(table, name, "" if shown is None else shown)
    console.print(table)


@app.command("update")
def update(
    tenant: TenantArgument,
    name: Annotated[str | None, typer.Option(help="New display name.")] = None,
    max_users: MaxUsers = None,
    max_concurrent_sessions: MaxSessions = None,
    monthly_session_minutes: Minutes = None,
    storage_quota_bytes: Quota = None,
    max_file_bytes: FileSize = None,
    allowed_origin: Annotated[
        list[str] | None,
        typer.Option(
            help="Browser origin allowed to call the tenant's API (CORS), scheme://host[:port]; "
            "repeat for several. Replaces the current list."
        ),
    ] = None,
    clear_origins: Annotated[
        bool,
        typer.Option("--clear-origins", help="Allow no browser origin at all (an empty list)."),
    ] = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rename a tenant, change plan limits or its allowed origins; others keep their value.

    Exits 3 when a value is refused; nothing is changed then.

    **Examples**

    ```sh
    passerelle tenants update acme --max-users 80 --max-concurrent-sessions 20
    passerelle tenants update acme --allowed-origin https://app.acme.example \\
        --allowed-origin https://admin.acme.example
    passerelle tenants update acme --clear-origins --json | jq .allowed_origins
    ```
    """
    changes = _limit_changes(
        max_users=max_users,
        max_concurrent_sessions=max_concurrent_sessions,
        monthly_session_minutes=monthly_session_minutes,
        storage_quota_bytes=storage_quota_bytes,
        max_file_bytes=max_file_bytes,
    )

    async def work(container: Container) -> Tenant:
        return await origins.update_tenant(
            tenant,
            container.tenant_dependencies(),
            actor=cli_actor(),
            display_name=name,
            limits=changes,
            allowed_origins=[] if clear_origins else allowed_origin,
        )

    _run_on_tenant(config, as_json, work, "tenant [bold]{slug}[/] updated")


def _state_command(name: str, change: TenantChange, summary: str) -> None:
    """Register a command that moves one tenant to another state."""

    def command(
        tenant: TenantArgument, config: ConfigOption = None, as_json: JsonOption = False
    ) -> None:
        async def work(container: Container) -> Tenant:
            return await change(tenant, container.tenant_dependencies(), actor=cli_actor())

        _run_on_tenant(config, as_json, work, "tenant [bold]{slug}[/] is {status}")

    command.__doc__ = summary
    app.command(name)(command)


_state_command(
    "suspend",
    lifecycle.suspend_tenant,
    "Suspend a tenant: its endpoints answer 403 tenant_suspended; data is untouched.",
)
_state_command("resume", lifecycle.resume_tenant, "Resume a suspended tenant.")
_state_command(
    "provision",
    provision_tenant,
    "Finish provisioning a tenant whose creation failed half-way (idempotent).",
)


@app.command("delete")
def delete(
    tenant: TenantArgument,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete a tenant: requests stop now, data is purged after tenancy.deletion_grace_days.

    Asks for confirmation on a terminal; without one, --yes is required (exit 2).

    **Examples**

    ```sh
    passerelle tenants delete acme
    passerelle tenants delete acme --yes --json | jq -r .purge_after
    ```
    """
    settings = settings_or_exit(config)
    if not yes and not sys.stdin.isatty():
        fail("no terminal to confirm the deletion: add --yes", ExitCode.USAGE)
    if not yes and not typer.confirm(f"Delete tenant {tenant}?", err=True):
        fail("not confirmed", ExitCode.REFUSED)
    grace = timedelta(days=settings.tenancy.deletion_grace_days)

    async def work(container: Container) -> Tenant:
        deps = container.tenant_dependencies()
        return await lifecycle.delete_tenant(tenant, deps, actor=cli_actor(), grace=grace)

    _run_on_tenant(
        config, as_json, work, "tenant [bold]{slug}[/] is {status}; purge after {t.purge_after}"
    )
