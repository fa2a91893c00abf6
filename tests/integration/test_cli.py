"""The command line on a real database: migrate, create tenants, operator keys, exit codes."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.sql.migrator import History, downgrade
from apps.cli import output, serve_commands
from apps.cli.main import app
from apps.cli.output import ExitCode
from apps.config.loading import load_settings
from apps.container import Container, build_container, close_container
from apps.observability.logging import HANDLER_NAME
from tests.conftest import Database
from tests.integration.conftest import TEST_ENCRYPTION_KEY, TEST_JWT_SECRET

runner = CliRunner()


@pytest.fixture(autouse=True)
def process_logging_undone() -> Iterator[None]:
    """serve, up and worker configure the process's logging onto the stream the runner
    captures, which closes with the run: later log lines (other threads' too) must not go
    there."""
    root = logging.getLogger()
    before = list(root.handlers)
    yield
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        if handler not in before:
            root.removeHandler(handler)


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def _create(slug: str) -> tuple[int, str]:
    return _run(
        "tenants",
        "create",
        "--slug",
        slug,
        "--name",
        "ACME",
        "--admin-email",
        "ops@acme.example",
        "--admin-name",
        "Ada",
        "--json",
    )


@pytest.mark.usefixtures("environment")
def test_migrate_then_create_tenant_then_migrate_every_tenant() -> None:
    code, out = _run("migrate", "--json")
    assert code == 0, out
    assert json.loads(out)["tenants_migrated"] == 0

    code, out = _create("acme")
    assert code == 0, out
    created = json.loads(out)
    assert created["slug"] == "acme"
    assert created["status"] == "active"

    code, out = _run("migrate", "--json")
    assert code == 0, out
    assert json.loads(out) == {
        "control": "migrated",
        "tenants_migrated": 0,
        "tenants_skipped": 1,
        "tenants_failed": {},
    }

    code, out = _run("tenants", "list", "--json")
    assert [t["slug"] for t in json.loads(out)] == ["acme"]


@pytest.mark.usefixtures("environment")
def test_commands_on_an_unmigrated_database_exit_78_and_say_what_to_run() -> None:
    result = runner.invoke(app, ["tenants", "list"])
    assert result.exit_code == ExitCode.CONFIG
    assert "passerelle migrate" in result.output


@pytest.mark.usefixtures("environment")
def test_taken_slug_exits_3_and_names_the_field() -> None:
    assert _run("migrate")[0] == 0
    assert _create("acme")[0] == 0
    result = runner.invoke(
        app,
        [
            "tenants",
            "create",
            "--slug",
            "acme",
            "--name",
            "B",
            "--admin-email",
            "b@b.example",
            "--admin-name",
            "B",
        ],
    )
    assert result.exit_code == ExitCode.REFUSED
    assert "slug" in result.output


@pytest.mark.usefixtures("environment")
def test_operator_key_is_printed_once_as_json() -> None:
    assert _run("migrate")[0] == 0
    code, out = _run("operator-keys", "create", "provisioning-bot", "--json")
    assert code == 0
    key = json.loads(out)
    assert key["name"] == "provisioning-bot"
    assert key["key"].startswith("pxo_")


def test_unreachable_database_exits_69(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSERELLE_DATABASE__URL", "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("PASSERELLE_AUTH__JWT_SECRET", TEST_JWT_SECRET)
    monkeypatch.setenv("PASSERELLE_ENCRYPTION__KEYS", TEST_ENCRYPTION_KEY)
    monkeypatch.setenv("PASSERELLE_API__PUBLIC_URL", "http://127.0.0.1:8000")
    monkeypatch.setenv("PASSERELLE_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == ExitCode.UNAVAILABLE
    assert "database unreachable" in result.output


@pytest.mark.usefixtures("environment")
def test_tenant_life_cycle_from_the_command_line() -> None:
    assert _run("migrate")[0] == 0
    assert _create("acme")[0] == 0

    code, out = _run("tenants", "update", "acme", "--max-users", "80", "--json")
    assert code == 0, out
    assert json.loads(out)["limits"]["max_users"] == 80
    assert json.loads(_run("tenants", "suspend", "acme", "--json")[1])["status"] == "suspended"
    code, out = _run("tenants", "list", "--status", "suspended", "--json")
    assert [t["slug"] for t in json.loads(out)] == ["acme"]
    assert json.loads(_run("tenants", "resume", "acme", "--json")[1])["status"] == "active"
    code, out = _run("tenants", "delete", "acme", "--yes", "--json")
    assert code == 0, out
    assert json.loads(out)["status"] == "deleting"
    assert json.loads(_run("tenants", "show", "acme", "--json")[1])["purge_after"]
    assert _run("tenants", "resume", "acme")[0] == ExitCode.REFUSED


@pytest.mark.usefixtures("environment")
def test_reconcile_reports_orphans_then_cleans_them(database: Database, tmp_path: Path) -> None:
    assert _run("migrate")[0] == 0
    assert _create("acme")[0] == 0
    stray = uuid.uuid4()
    (tmp_path / "files" / "tenants" / str(stray)).mkdir(parents=True)

    code, out = _run("tenants", "reconcile", "--json")
    assert code == ExitCode.FAILED
    assert json.loads(out)["orphan_directories"] == [str(stray)]

    code, out = _run("tenants", "reconcile", "--clean", "--json")
    assert code == 0, out
    assert not (tmp_path / "files" / "tenants" / str(stray)).exists()
    assert _run("tenants", "reconcile")[0] == 0


@pytest.mark.usefixtures("environment")
def test_serve_refuses_to_start_on_an_unmigrated_database() -> None:
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == ExitCode.CONFIG
    assert "passerelle migrate" in result.output


@pytest.mark.usefixtures("environment")
def test_serve_refuses_an_unknown_adapter_and_names_the_choices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _run("migrate")[0] == 0
    monkeypatch.setenv("PASSERELLE_MAIL__BACKEND", "fax")
    monkeypatch.setattr(output.errors, "width", 400)
    result = runner.invoke(app, ["worker"])
    assert result.exit_code == ExitCode.CONFIG
    assert "no mail adapter named 'fax' (available: console, file, smtp)" in result.output


@pytest.mark.usefixtures("environment")
@pytest.mark.parametrize(("choice", "loop_module"), [("auto", "uvloop"), ("asyncio", "asyncio")])
def test_the_worker_runs_on_the_configured_event_loop_with_the_collector_settled(
    monkeypatch: pytest.MonkeyPatch, choice: str, loop_module: str
) -> None:
    assert _run("migrate")[0] == 0
    monkeypatch.setenv("PASSERELLE_API__EVENT_LOOP", choice)
    seen: list[str] = []
    monkeypatch.setattr(serve_commands, "settle_for_serving", lambda: seen.append("settled"))

    async def one_pass(container: Container, stop: asyncio.Event) -> None:
        seen.append(type(asyncio.get_running_loop()).__module__.split(".")[0])

    monkeypatch.setattr(serve_commands, "run_worker", one_pass)
    result = runner.invoke(app, ["worker"])

    assert result.exit_code == 0, result.output
    assert seen == ["settled", loop_module]


@pytest.mark.usefixtures("environment")
def test_notification_retry_refuses_unknown_ids_naming_the_code() -> None:
    assert _run("migrate")[0] == 0
    assert _create("acme")[0] == 0
    missing = runner.invoke(app, ["notifications", "retry", "acme", str(uuid.uuid4())])
    assert missing.exit_code == ExitCode.REFUSED
    assert "notification_not_found" in missing.output
    garbage = runner.invoke(app, ["notifications", "retry", "acme", "not-an-id"])
    assert garbage.exit_code == ExitCode.USAGE


@pytest.mark.usefixtures("environment")
def test_tenants_show_and_list_print_names_as_text_never_as_markup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _run("migrate")[0] == 0
    assert _create("acme")[0] == 0
    name = "Evil [/bold] [link=https://evil.example]Co[/link]"
    assert _run("tenants", "update", "acme", "--name", name)[0] == 0
    monkeypatch.setattr(output.console, "width", 400)

    shown, listed = _run("tenants", "show", "acme"), _run("tenants", "list")

    assert (shown[0], listed[0]) == (0, 0)
    assert name in shown[1]
    assert name in listed[1]
    assert "Tenant(" not in shown[1]


@pytest.mark.usefixtures("environment")
def test_tenants_list_folds_long_values_on_a_narrow_terminal_rather_than_cutting_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _run("migrate")[0] == 0
    assert _create("acme")[0] == 0
    monkeypatch.setattr(output.console, "width", 60)

    code, out = _run("tenants", "list")

    assert code == 0
    assert "…" not in out


@pytest.mark.usefixtures("environment")
def test_without_a_terminal_nothing_is_asked_and_the_missing_answer_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Scripts get exit 2 and what to set, not a prompt on stdout that breaks --json."""
    assert _run("migrate")[0] == 0
    assert _create("acme")[0] == 0
    monkeypatch.delenv("PASSERELLE_ADMIN_PASSWORD")

    created = runner.invoke(
        app,
        [
            *("tenants", "create", "--slug", "other", "--name", "Other"),
            *("--admin-email", "ops@other.example", "--admin-name", "Ada", "--json"),
        ],
    )
    deleted = runner.invoke(app, ["tenants", "delete", "acme", "--json"])

    assert (created.exit_code, deleted.exit_code) == (ExitCode.USAGE, ExitCode.USAGE)
    assert (created.stdout, deleted.stdout) == ("", "")
    assert "PASSERELLE_ADMIN_PASSWORD" in created.output
    assert "--yes" in deleted.output
    assert json.loads(_run("tenants", "show", "acme", "--json")[1])["status"] == "active"


def _break_database_of(slug: str, breakage: str) -> None:
    """The tenant's database dropped behind the catalog's back, or one migration undone."""

    async def run() -> None:
        container = build_container(load_settings())
        try:
            tenant = await container.catalog().find_by_slug(slug)
            assert tenant is not None
            if breakage == "dropped":
                await container.tenant_databases().drop(tenant.id)
            else:
                engine = await container.tenant_engines().engine_for(tenant.id)
                await downgrade(engine, History.TENANT, "-1")
        finally:
            await close_container(container)

    asyncio.run(run())


@pytest.mark.usefixtures("environment")
@pytest.mark.parametrize("command", [("files", "reconcile"), ("secrets", "reseal")])
@pytest.mark.parametrize(
    ("breakage", "reason"),
    [("dropped", "does not exist"), ("missing-migration", "run `passerelle migrate`")],
)
def test_fleet_commands_go_past_a_broken_tenant_database_naming_it_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, command: tuple[str, str], breakage: str, reason: str
) -> None:
    """The broken tenant comes first in the catalog: the one after it is still done."""
    assert _run("migrate")[0] == 0
    assert _create("acme")[0] == 0
    assert _create("beta")[0] == 0
    _break_database_of("acme", breakage)
    monkeypatch.setattr(output.errors, "width", 400)

    as_json = runner.invoke(app, [*command, "--json"])
    human = runner.invoke(app, list(command))

    assert (as_json.exit_code, human.exit_code) == (ExitCode.FAILED, ExitCode.FAILED)
    entries = json.loads(as_json.stdout)
    errors = {entry["tenant"]: entry["error"] for entry in entries}
    assert [sorted(entry) for entry in entries] == [sorted(entries[0])] * 2
    assert "tenant_id" in entries[0]
    assert errors["beta"] is None
    assert reason in errors["acme"]
    assert "beta" in human.stdout
    assert f"failed acme: {errors['acme']}" in human.stderr


@pytest.mark.usefixtures("environment")
@pytest.mark.parametrize(
    "command",
    [("usage", "report", "--month", "2026-11"), ("files", "reconcile"), ("secrets", "reseal")],
    ids=lambda command: " ".join(command[:2]),
)
def test_a_tenant_named_as_argument_or_by_the_older_option_gives_the_same_answer_never_both(
    command: tuple[str, ...],
) -> None:
    """TENANT as the other tenant commands take it, while scripts passing --tenant go on."""
    assert _run("migrate")[0] == 0
    assert _create("acme")[0] == 0

    as_argument = _run(*command, "acme", "--json")
    as_option = _run(*command, "--tenant", "acme", "--json")
    both = runner.invoke(app, [*command, "acme", "--tenant", "acme"])

    assert as_argument[0] == 0, as_argument[1]
    assert as_option == as_argument
    assert both.exit_code == ExitCode.USAGE
    assert "not both" in both.output
