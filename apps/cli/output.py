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

console = Console()
errors = Console(stderr=True)


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    REFUSED = 3
    UNAVAILABLE = 69
    CONFIG = 78


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def fail(message: str, code: ExitCode) -> NoReturn:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(int(code))
