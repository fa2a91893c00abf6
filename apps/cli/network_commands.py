"""`passerelle network requirements|check`: what firewalls must allow, and whether they do."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from apps.cli.options import ConfigOption, JsonOption
from apps.cli.output import ExitCode, console, emit_json, fail
from apps.cli.runtime import settings_or_exit
from apps.container import build_container
from apps.network.check import Outcome, check_requirements
from apps.network.documents import markdown, rule_cells
from apps.network.requirements import Requirement, configured_requirements
from plugins.egress import Side
from plugins.registry import AdapterSettingsError

app = typer.Typer(help="Network requirements of this deployment and a reachability check.")


def _load(config: Path | None) -> list[Requirement]:
    """Read from the container's registry; no adapter is built and nothing connects."""
    try:
        return configured_requirements(build_container(settings_or_exit(config)))
    except (LookupError, AdapterSettingsError) as exc:
        fail(str(exc), ExitCode.CONFIG)


@app.command("requirements")
def requirements_command(
    config: ConfigOption = None,
    as_json: JsonOption = False,
    as_markdown: Annotated[
        bool, typer.Option("--markdown", help="A markdown page for the IT department.")
    ] = False,
) -> None:
    """Hosts and ports clients and servers must reach, for the configured adapters."""
    lines = _load(config)
    if as_json:
        emit_json([line.as_dict() for line in lines])
    elif as_markdown:
        typer.echo(markdown(lines, deployment="this Passerelle XR deployment"), nl=False)
    else:
        table = Table(title="Network requirements")
        for column in ("side", "hosts", "ports", "protocol", "purpose", "used by"):
            table.add_column(column)
        for line in lines:
            if line.egress is None:
                table.add_row("?", "[yellow]undeclared[/]", "", "", "", line.source)
            else:
                table.add_row(line.egress.side.value, *rule_cells(line.egress), line.source)
        console.print(table)


@app.command("check")
def check_command(
    config: ConfigOption = None,
    as_json: JsonOption = False,
    side: Annotated[
        Side | None, typer.Option(help="Check only what clients or servers need.")
    ] = None,
    timeout: Annotated[
        float, typer.Option(min=0.1, max=60, help="Seconds allowed for each step of a check.")
    ] = 5.0,
) -> None:
    """Resolve, connect (and TLS-handshake) to every concrete host; exit 1 if any fails.

    **Examples**

    ```sh
    passerelle network check
    passerelle network check --side clients --timeout 2
    passerelle network check --json | jq '.[] | select(.outcome == "fail")'
    ```
    """
    lines = [
        line
        for line in _load(config)
        if side is None or line.egress is None or line.egress.side is side
    ]
    results = asyncio.run(check_requirements(lines, step_seconds=timeout))
    if as_json:
        emit_json([result.as_dict() for result in results])
    else:
        table = Table(title="Network check")
        for column in ("result", "target", "used by", "reason"):
            table.add_column(column)
        colours = {Outcome.PASS: "green", Outcome.FAIL: "red", Outcome.NOT_CHECKABLE: "yellow"}
        for result in results:
            mark = f"[{colours[result.outcome]}]{result.outcome.value}[/]"
            table.add_row(mark, result.target, result.source, result.reason)
        console.print(table)
    if any(result.outcome is Outcome.FAIL for result in results):
        raise typer.Exit(int(ExitCode.FAILED))
