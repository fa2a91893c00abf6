"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from apps.cli.output import ExitCode, fail

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="TOML settings file (also PASSERELLE_CONFIG_FILE). Environment variables win over it.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]

EveryTenantArgument = Annotated[
    str | None,
    typer.Argument(
        help="One tenant's slug or id; default: every tenant the command covers.",
        metavar="TENANT",
        show_default=False,
    ),
]
TenantOption = Annotated[
    str | None,
    typer.Option(
        "--tenant",
        help="Same as the TENANT argument: the older form, kept for existing scripts.",
        show_default=False,
    ),
]


def one_tenant(argument: str | None, option: str | None) -> str | None:
    """The tenant named as TENANT, like every tenant command takes it, or by ``--tenant``
    as scripts written before did; both at once is refused rather than one chosen."""
    if argument is not None and option is not None:
        fail("name the tenant once: TENANT or --tenant, not both", ExitCode.USAGE)
    return option if argument is None else argument
