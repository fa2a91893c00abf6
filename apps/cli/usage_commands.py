"""`passerelle usage ...`: session minutes of a tenant, for operators and billing."""

from __future__ import annotations

from typing import Annotated

import typer

from apps.cli.options import ConfigOption, JsonOption, TenantOption, one_tenant
from apps.cli.output import ExitCode, console, data_row, data_table, emit_json, fail
from apps.cli.runtime import run_with_container, settings_or_exit
from apps.container import Container
from apps.maintenance import tenants_in_use
from core.errors import InvalidInput
from core.tenants.portability import EXPORTABLE
from core.usage.model import Month, UsageReport
from core.usage.services import monthly_usage

app = typer.Typer(help="Session minutes per tenant and month.", no_args_is_help=True)
TenantArgument = Annotated[
    str | None,
    typer.Argument(help="The tenant's slug or id.", metavar="TENANT", show_default=False),
]


@app.command("report")
def report(
    month: Annotated[str, typer.Option(help="The month, YYYY-MM (UTC).")],
    tenant: TenantArgument = None,
    tenant_option: TenantOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Minutes per session and participant in one month, the total and the plan's limit.

    Name the tenant as TENANT, like the other tenant commands (`--tenant` does the same,
    for scripts written before). Exits 2 without a tenant or a month, 3 for an unknown
    tenant or a month not written YYYY-MM.

    **Examples**

    ```sh
    passerelle usage report acme --month 2026-11
    passerelle usage report acme --month 2026-11 --json | jq .remaining
    ```
    """
    named = one_tenant(tenant, tenant_option)
    if named is None:
        fail("name the tenant: passerelle usage report TENANT --month YYYY-MM", ExitCode.USAGE)
    try:
        chosen = Month.parse(month)
    except InvalidInput as exc:
        fail(f"{exc.detail} (month) [{exc.code}]", ExitCode.REFUSED)

    async def work(container: Container) -> UsageReport:
        [found] = await tenants_in_use(container, named, statuses=EXPORTABLE)
        return await monthly_usage(found.id, chosen, found.limits, container.usage_dependencies())

    result = run_with_container(settings_or_exit(config), work)
    if as_json:
        emit_json(_as_json(result))
        return
    table = data_table(
        "session",
        "minutes",
        "participants",
        title=f"Usage {result.month}: {result.minutes} of {result.limit} minutes",
    )
    for session in result.sessions:
        people = ", ".join(f"{p.role} {p.minutes}" for p in session.participants)
        data_row(table, session.session_id, session.minutes, people)
    console.print(table)


def _as_json(result: UsageReport) -> dict[str, object]:
    return {
        "month": str(result.month),
        "minutes": result.minutes,
        "limit": result.limit,
        "remaining": result.remaining,
        "sessions": [
            {
                "session_id": str(s.session_id),
                "minutes": s.minutes,
                "participants": [
                    {
                        "participant_id": str(p.participant_id),
                        "user_id": str(p.user_id) if p.user_id else None,
                        "role": p.role,
                        "minutes": p.minutes,
                    }
                    for p in s.participants
                ],
            }
            for s in result.sessions
        ],
    }
