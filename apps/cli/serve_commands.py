"""`passerelle up`, `serve` and `worker`: the long-running processes."""

from __future__ import annotations

import asyncio
import errno
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


def serve(
    settings: Settings, *, with_worker: bool, listening: list[socket.socket] | None = None
) -> None:
    """Check adapters, database and schema first: a bad setting exits 78 with its name."""
    try:
        http = http_parser(settings.api.http_parser)
    except SettingsError as exc:
        fail(str(exc), ExitCode.CONFIG)
    loop = _event_loop(settings)
    listening = listening or listening_sockets(settings.api.host, settings.api.port)
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
        await uvicorn.Server(config).serve(sockets=listening)

    with asyncio.Runner(loop_factory=loop) as runner:
        runner.run(main())


def listening_sockets(host: str, port: int) -> list[socket.socket]:
    """Bound before anything starts, so that an address in use or not on this machine is
    one clear error (exit 1), not uvicorn's log line and its exit 3 ("input refused").

    As asyncio's create_server binds a host: every address the name resolves to (127.0.0.1
    and ::1 for localhost), IPv6 ones IPv6-only, skipping a family the machine lacks."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror}", ExitCode.FAILED)
    bound: list[socket.socket] = []
    for family, kind, protocol, _, address in dict.fromkeys(found):
        try:
            bound.append(_bound(family, kind, protocol, address))
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                continue
            for other in bound:
                other.close()
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", ExitCode.FAILED)
    if not bound:
        fail(f"cannot listen on {host}:{port}: no address of this machine", ExitCode.FAILED)
    return bound


def _bound(
    family: socket.AddressFamily, kind: socket.SocketKind, protocol: int, address: Any
) -> socket.socket:
    listening = socket.socket(family, kind, protocol)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            listening.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        listening.bind(address)
    except OSError:
        listening.close()
        raise
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

    listening = listening_sockets(settings.api.host, settings.api.port)
    asyncio.run(main())
    serve(settings, with_worker=True, listening=listening)


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
