"""Operators set a tenant's allowed browser origins from the command line too."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from apps.cli.main import app
from apps.cli.output import ExitCode

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    """Exit code, and standard output when it succeeds (what a script reading ``--json``
    sees; logs go to standard error), standard error otherwise."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout if result.exit_code == 0 else result.stderr


@pytest.mark.usefixtures("environment")
def test_origins_are_set_replaced_refused_and_cleared_from_the_command_line() -> None:
    assert _run("migrate")[0] == 0
    create = ["--slug", "acme", "--name", "ACME", "--admin-email", "a@acme.example"]
    assert _run("tenants", "create", *create, "--admin-name", "Ada")[0] == 0
    update = ["tenants", "update", "acme", "--json"]

    code, out = _run(
        *update,
        "--allowed-origin",
        "https://Portal.acme.example:443",
        "--allowed-origin",
        "http://localhost:3000",
    )
    assert code == 0, out
    assert json.loads(out)["allowed_origins"] == [
        "https://portal.acme.example",
        "http://localhost:3000",
    ]

    code, out = _run(*update, "--allowed-origin", "https://portal.acme.example/app")
    assert code == ExitCode.REFUSED
    assert "allowed_origins[0]" in out or "no path" in out
    shown = json.loads(_run("tenants", "show", "acme", "--json")[1])
    assert shown["allowed_origins"] == ["https://portal.acme.example", "http://localhost:3000"]

    code, out = _run(*update, "--clear-origins")
    assert code == 0, out
    assert json.loads(out)["allowed_origins"] == []
