"""Exit codes and output helpers shared by every command.

Exit codes: 0 success; 1 the operation ran and failed (e.g. some tenants did not
migrate); 2 wrong usage; 3 input refused (invalid value, conflict, not found);
69 a service (database, provider) is unreachable; 78 the configuration is invalid.
"""

from __future__ import annotations

import json
from enum import IntEnum
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

console = Console(soft_wrap=True)
"""Lines longer than the terminal (80 columns when piped) wrap, never lose their end."""
errors = Console(stderr=True)


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    REFUSED = 3
    UNAVAILABLE = 69
    CONFIG = 78


def data_table(*columns: str, title: str = "") -> Table:
    """A table whose cells fold rather than end in an ellipsis: ids and names stay whole."""
    table = Table(title=escape(title) or None)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def data_row(table: Table, *values: object) -> None:
    """Values as they are: a name like ``[/bold]`` is text, never Rich markup."""
    table.add_row(*(value if isinstance(value, Text) else Text(str(value)) for value in values))


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def fail(message: str, code: ExitCode) -> NoReturn:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(int(code))
