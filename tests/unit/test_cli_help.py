"""`passerelle <command> --help` on an 80-column terminal: the examples are shown as
written, one command line per line, and no option name is cut short."""

from __future__ import annotations

import pytest
import typer
from typer.core import TyperCommand, TyperGroup
from typer.testing import CliRunner

from apps.cli.main import app

runner = CliRunner()

COMMANDS_WITH_EXAMPLES = [
    ("up",),
    ("serve",),
    ("migrate",),
    ("tenants", "create"),
    ("tenants", "list"),
    ("tenants", "show"),
    ("tenants", "update"),
    ("tenants", "delete"),
    ("tenants", "backup"),
    ("tenants", "restore"),
    ("usage", "report"),
    ("files", "reconcile"),
    ("secrets", "reseal"),
    ("network", "check"),
    ("retention", "run"),
]


def _command(path: tuple[str, ...]) -> TyperCommand:
    command = typer.main.get_command(app)
    for name in path:
        assert isinstance(command, TyperGroup)
        command = command.commands[name]
    assert isinstance(command, TyperCommand)
    return command


def _examples(command: TyperCommand) -> list[str]:
    """The lines of the help's fenced code block, as a reader would copy them."""
    _, _, after = (command.help or "").partition("```sh\n")
    block, _, _ = after.partition("```")
    return [line.strip() for line in block.splitlines() if line.strip()]


def _option_names(command: TyperCommand) -> list[str]:
    return [
        name
        for param in command.params
        for name in (*param.opts, *param.secondary_opts)
        if name.startswith("--")
    ]


@pytest.mark.parametrize("path", COMMANDS_WITH_EXAMPLES, ids=" ".join)
def test_help_at_80_columns_shows_examples_line_by_line_and_option_names_whole(
    path: tuple[str, ...],
) -> None:
    command = _command(path)

    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80"})

    assert result.exit_code == 0, result.output
    shown = [line.strip() for line in result.stdout.splitlines()]
    assert "Examples" in shown
    assert _examples(command)
    assert [line for line in _examples(command) if line not in shown] == []
    assert [name for name in _option_names(command) if name not in result.stdout] == []
    assert "…" not in result.stdout
