"""The `passerelle` command."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

import apps.cli.archive_commands  # adds tenants export/import/backup/restore
import apps.cli.tenant_upkeep_commands  # noqa: F401 - adds tenants purge/reconcile
from apps.cli import (
    config_commands,
    file_commands,
    network_commands,
    notification_commands,
    operator_commands,
    plugin_skeleton,
    retention_commands,
    secret_commands,
    tenant_commands,
    usage_commands,
)
from apps.cli.migrate_commands import migrate_command
from apps.cli.options import ConfigOption, JsonOption
from apps.cli.plugin_commands import plugins_command
from apps.cli.runtime import (
    configured_disabled_plugins,
    settings_or_exit,
    unchecked_settings_or_exit,
)
from apps.cli.serve_commands import serve, up, worker
from apps.observability.logging import HANDLER_NAME, configure_logging
from plugins.manager import build_plugins

app = typer.Typer(
    name="passerelle",
    help=(
        "Passerelle XR: multi-tenant remote-assistance backend.\n\n"
        "Start with `passerelle up` (everything in one process, nothing to install). "
        "Settings come from PASSERELLE_* variables and an optional TOML file (--config); "
        "`passerelle config show` prints them.\n\n"
        "Exit codes: 0 ok, 1 failed, 2 usage, 3 input refused, 69 service unreachable, "
        "78 invalid configuration."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
app.add_typer(config_commands.app, name="config")
app.add_typer(tenant_commands.app, name="tenants")
app.add_typer(operator_commands.app, name="operator-keys")
app.add_typer(notification_commands.app, name="notifications")
app.add_typer(network_commands.app, name="network")
app.add_typer(usage_commands.app, name="usage")
app.add_typer(file_commands.app, name="files")
app.add_typer(plugin_skeleton.app, name="plugin")
app.add_typer(retention_commands.app, name="retention")
app.add_typer(secret_commands.app, name="secrets")


@app.command("up")
def up_command(
    config: ConfigOption = None,
    host: Annotated[
        str | None, typer.Option(help="Interface to listen on (default: api.host, 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port to listen on (default: api.port, 8000).")
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Where SQLite files, mail and keys live (default: data_dir, var)."),
    ] = None,
) -> None:
    """Run API + worker on the embedded default: SQLite, local files, console mail, dev video.

    The first start creates a demo tenant, its admin and an operator key, and prints them.
    A flag wins over the same setting in the environment or the configuration file.

    **Examples**

    ```sh
    passerelle up
    passerelle up --host 0.0.0.0 --port 8080 --data-dir /srv/passerelle
    ```
    """
    listening = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    overrides: dict[str, Any] = {"api": listening} if listening else {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    settings = settings_or_exit(config, profile="embedded", **overrides)
    configure_logging(settings.observability)
    up(settings)


@app.command("serve")
def serve_command(config: ConfigOption = None) -> None:
    """Run the HTTP API only (scale it horizontally; run workers beside it).

    Refuses to start on a control database that is not migrated: run `passerelle migrate`
    first, with the same settings.

    **Examples**

    ```sh
    passerelle migrate --config /etc/passerelle/passerelle.toml
    passerelle serve --config /etc/passerelle/passerelle.toml
    PASSERELLE_API__HOST=0.0.0.0 PASSERELLE_API__PORT=8080 passerelle serve
    ```
    """
    settings = settings_or_exit(config)
    configure_logging(settings.observability)
    serve(settings, with_worker=False)


@app.command("worker")
def worker_command(config: ConfigOption = None) -> None:
    """Run an outbox worker only; several may run at once."""
    settings = settings_or_exit(config)
    configure_logging(settings.observability)
    worker(settings)


@app.command("migrate")
def migrate(
    config: ConfigOption = None,
    as_json: JsonOption = False,
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Tenant databases migrated at the same time.")
    ] = 4,
) -> None:
    """Upgrade the control database, then every tenant database; safe to run again.

    Tenants already at the newest schema are skipped. A tenant that fails is reported
    and the others go on; exit 1 if any failed, and running it again resumes.

    **Examples**

    ```sh
    passerelle migrate
    passerelle migrate --concurrency 16
    passerelle migrate --json | jq '.tenants_failed'
    ```
    """
    migrate_command(settings_or_exit(config), as_json, concurrency)


@app.command("plugins")
def plugins(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """List plugins: each one's version, hooks and the adapters it provides, the plugins
    that failed to load, and those the configuration disables (`disabled_plugins`)."""
    plugins_command(tuple(unchecked_settings_or_exit(config).disabled_plugins), as_json)


QUIET_LOGGERS = ("vonage", "vonage_http_client")
"""Libraries that log credentials at DEBUG (vonage writes its Authorization header)."""


def run() -> None:
    command_lines = logging.StreamHandler()
    command_lines.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    # Short commands log these plain lines; serve, up and worker replace the handler (it
    # bears the name configure_logging looks for) with their structured one.
    command_lines.set_name(HANDLER_NAME)
    logging.basicConfig(level=logging.INFO, handlers=[command_lines])
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    build_plugins(disabled=configured_disabled_plugins(sys.argv[1:])).add_cli_commands(app)
    app()
