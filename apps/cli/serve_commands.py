"""`passerelle up`, `serve` and `worker`: the long-running processes."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
from pathlib import Path
from typing import Any

import typer
import uvicorn

from apps.api.app import create_app
from apps.cli.collector import settle_for_serving
from apps.cli.output import ExitCode, fail
from apps.cli.runtime import run_with_container
from apps.cli.server_choices import LoopFactory, http_parser, loop_factory
from apps.config.loading import SettingsError
from apps.config.settings import Settings
from apps.container import Container, build_container, check_adapters, close_container
from apps.maintenance import migrate_control, migrate_tenants, tenants_to_migrate
from apps.worker.process import run_worker, worker_lifespan
from core.identity.services import create_operator_key
from core.tenants.services import CreateTenant, create_tenant

DEMO_SLUG = "demo"
DEMO_ADMIN = "admin@demo.example"
CREDENTIALS_FILE = "demo-credentials.json"


def serve(settings: Settings, *, with_worker: bool) -> None:
    """Check adapters, database and schema first: a bad setting exits 78 with its name."""
    try:
        http = http_parser(settings.api.http_parser)
    except SettingsError as exc:
        fail(str(exc), ExitCode.CONFIG)
    loop = _event_loop(settings)
    listening = _listening_socket(settings.api.host, settings.api.port)
    run_with_container(settings, check_adapters)

    async def main() -> None:
        container = build_container(settings)
        lifespans = [worker_lifespan(container)] if with_worker else []
        app = create_app(container, extra_lifespans=lifespans)
        settle_for_serving()
        # Logging stays as configure_logging set it: uvicorn's own config would add handlers
        # and an access log that writes query strings, where signed links carry credentials.
        config = uvicorn.Config(
            app,
            host=settings.api.host,
            port=settings.api.port,
            lifespan="on",
            log_config=None,
            access_log=False,
            http=http,
        )
        await uvicorn.Server(config).serve(sockets=[listening])

    with asyncio.Runner(loop_factory=loop) as runner:
        runner.run(main())


def _listening_socket(host: str, port: int) -> socket.socket:
    """Bound before anything starts, so that an address in use or not on this machine is
    one clear error (exit 1), not uvicorn's log line and its exit 3 ("input refused")."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", ExitCode.FAILED)
    return listening


def up(settings: Settings) -> None:
    """Migrate, seed the demo tenant on first start, then run API and worker in one process."""

    async def main() -> None:
        container = build_container(settings)
        try:
            await migrate_control(container)
            await migrate_tenants(container, await tenants_to_migrate(container), lambda *_: None)
            credentials = await _demo_credentials(container)
        finally:
            await close_container(container)
        _announce(settings, credentials)

    asyncio.run(main())
    serve(settings, with_worker=True)


def worker(settings: Settings) -> None:
    """On the API's event loop and with its collector settings: the worker is a
    long-running server of jobs, and they pay the same per-object costs."""
    new_loop = _event_loop(settings)
    run_with_container(settings, check_adapters)

    async def main() -> None:
        container = build_container(settings)
        settle_for_serving()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        try:
            await check_adapters(container)
            await run_worker(container, stop)
        finally:
            await close_container(container)

    with asyncio.Runner(loop_factory=new_loop) as runner:
        runner.run(main())


def _event_loop(settings: Settings) -> LoopFactory | None:
    try:
        return loop_factory(settings.api.event_loop)
    except SettingsError as exc:
        fail(str(exc), ExitCode.CONFIG)


async def _demo_credentials(container: Container) -> dict[str, Any]:
    """Created once, kept in the data directory (mode 0600) so later starts can show them."""
    path = container.settings().data_dir / CREDENTIALS_FILE
    if await container.catalog().find_by_slug(DEMO_SLUG) is not None:
        if path.exists():
            stored: dict[str, Any] = json.loads(path.read_text())
            return stored
        unknown = f"(unknown: {path} was removed)"
        return {
            "tenant": DEMO_SLUG,
            "email": DEMO_ADMIN,
            "password": unknown,
            "operator_key": unknown,
        }
    password = secrets.token_urlsafe(12)
    await create_tenant(
        CreateTenant(
            slug=DEMO_SLUG,
            display_name="Demo Company",
            admin_email=DEMO_ADMIN,
            admin_password=password,
            admin_name="Demo Admin",
        ),
        container.tenant_dependencies(),
        actor="passerelle up",
    )
    operator_key, _ = await create_operator_key(
        "demo operator", keys=container.operator_keys(), clock=container.clock()
    )
    credentials = {
        "tenant": DEMO_SLUG,
        "email": DEMO_ADMIN,
        "password": password,
        "operator_key": operator_key,
    }
    _write_private(path, json.dumps(credentials, indent=2))
    return credentials


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


def _announce(settings: Settings, credentials: dict[str, Any]) -> None:
    url = settings.public_url
    typer.echo(
        f"""
Passerelle XR is starting (embedded profile: SQLite, console mail, development video)

  API          {url}/api/v1
  API docs     {url}/schema   (OpenAPI document: {url}/schema/openapi.json)
  Data         {settings.data_dir.resolve()}

  Demo tenant  {credentials["tenant"]}   (send header X-Passerelle-Tenant: {credentials["tenant"]})
  Admin        {credentials["email"]} / {credentials["password"]}
  Operator key {credentials["operator_key"]}
  (kept in {settings.data_dir.resolve() / CREDENTIALS_FILE})

  Try:  curl -s -X POST {url}/api/v1/auth/login -H 'X-Passerelle-Tenant: demo' \\
          -H 'Content-Type: application/json' \\
          -d '{{"email": "{credentials["email"]}", "password": "{credentials["password"]}"}}'
"""
    )
