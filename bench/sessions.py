"""Sessions benchmark: join requests/s against a bare JSON endpoint, and session creation.

Not a test: it prints figures and never asserts on time. For each database (SQLite in a
temporary directory, PostgreSQL at ``--postgres-url`` with a control database and tenant
databases made for the run and dropped at the end), one tenant is made by the real
``create_tenant``; the API then runs in a child process (uvicorn, one worker, the
production profile with the development video and multiplayer adapters, rate limits off)
with one extra route, ``GET /bench/bare``, answering ``{"ok": true}`` with no database,
no auth and no middleware work beyond the app's own, and ``GET /bench/transaction``, an
empty tenant unit of work (begin and commit, no statement), also without auth: the least
any endpoint that changes a tenant's data does, so more than a join could ever reach on
this stack, measured beside it. The load comes from this process over
loopback TCP: ``--connections`` keep-alive HTTP/1.1 connections, each sending its next
request as soon as the previous answer is read (a minimal client, so the client costs
little next to the server on a 2-core machine).

    .venv/bin/python bench/sessions.py [--databases sqlite,postgresql] [--seconds 5]
                                       [--connections 16] [--creations 300]
                                       [--postgres-url URL] [--json]

Phases, per database:

1. Session creation: ``--creations`` sequential ``POST /api/v1/sessions`` by the tenant's
   admin on one connection; p50/p99/max of each request's round trip.
2. Throughput, same server, same run: ``GET /bench/bare`` for ``--seconds``, then
   ``POST /api/v1/sessions/{id}/join`` and ``GET /bench/transaction`` for ``--seconds``
   each (the admin joining the sessions of phase 1 in turn, at most 90 joins each, under
   the 100-participant limit set for the run; the empty transactions come last because
   joins measured after them cost some 8 % more CPU each, for a reason not found: nothing
   grows per unit of work); requests/s of each, their ratios to the bare endpoint's, any
   non-2xx answer counted apart, and the server process's CPU time per request of each
   (from /proc, where there is one): on a shared machine the CPU share the server gets
   moves the rates, the CPU per request less. On PostgreSQL, the CPU time this machine's
   PostgreSQL spent per join too: the load generator, the API and the database share the
   machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import benchkit  # noqa: E402
from benchkit import (  # noqa: E402
    Report,
    asyncpg_dsn,
    cpu_model,
    ms,
    percentile,
    postgres_cpu_seconds,
    process_cpu_seconds,
    run_bench,
)

from apps.config.loading import load_settings  # noqa: E402
from apps.container import build_container, close_container  # noqa: E402
from apps.maintenance import migrate_control  # noqa: E402
from core.identity.model import Actor  # noqa: E402
from core.tenants.model import PlanLimits  # noqa: E402
from core.tenants.services import CreateTenant, create_tenant  # noqa: E402

SECRET = "bench-secret-that-is-long-enough-for-hs256-0123456789"  # noqa: S105 - a throwaway key
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
SETTINGS_ENV = "PXR_BENCH_SESSIONS_SETTINGS"
TENANT_ENV = "PXR_BENCH_SESSIONS_TENANT"
JOINS_PER_SESSION = 90


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--creations", type=int, default=300)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--serve", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _settings(database: dict[str, Any], root: Path) -> dict[str, Any]:
    return {
        "profile": "production",
        "data_dir": str(root),
        "database": database,
        "auth": {"jwt_secret": SECRET},
        "encryption": {"keys": benchkit.ENCRYPTION_KEY},
        "api": {"public_url": benchkit.PUBLIC_URL},
        "mail": {"backend": "console"},
        "video": {"backend": "development"},
        "multiplayer": {"backend": "development"},
        "storage": {"backend": "local"},
        "push": {"backend": "console"},
        "sms": {"backend": "console"},
        "rate_limits": {"enabled": False},
        "sessions": {"max_participants": 100},
    }


# --- the server (child process) ---------------------------------------------------------


def serve(port: int) -> None:
    """The API plus the two reference endpoints, on 127.0.0.1:port, until terminated."""
    import logging

    import uvicorn
    from litestar import get

    from apps.api.app import create_app
    from apps.cli.collector import settle_for_serving

    logging.disable(logging.WARNING)

    container = build_container(load_settings(**json.loads(os.environ[SETTINGS_ENV])))
    tenant_id = uuid.UUID(os.environ[TENANT_ENV])

    @get("/bench/bare", sync_to_thread=False)
    def bare() -> dict[str, bool]:
        return {"ok": True}

    @get("/bench/transaction")
    async def transaction() -> dict[str, bool]:
        async with container.tenant_uow()(tenant_id) as uow:
            await uow.commit()
        return {"ok": True}

    app = create_app(container)
    app.register(bare)
    app.register(transaction)
    settle_for_serving()  # as `passerelle serve` does
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)


# --- a minimal keep-alive HTTP/1.1 client -----------------------------------------------


@dataclass
class Tally:
    ok: int = 0
    failed: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def send(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await self.reader.readexactly(length) if length else b""
        return status, body

    def close(self) -> None:
        self.writer.close()


def request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body:
        lines.append("Content-Type: application/json")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def hammer(port: int, requests: list[bytes], connections: int, seconds: float) -> Tally:
    """Each connection sends requests[i], requests[i+1]... in turn until time is up."""
    tally = Tally()
    deadline = time.perf_counter() + seconds
    cursor = iter(range(10**9))

    async def one() -> None:
        connection = await Connection.open(port)
        try:
            while time.perf_counter() < deadline:
                status, _ = await connection.send(requests[next(cursor) % len(requests)])
                tally.statuses[status] = tally.statuses.get(status, 0) + 1
                if 200 <= status < 300:
                    tally.ok += 1
                else:
                    tally.failed += 1
        finally:
            connection.close()

    await asyncio.gather(*(one() for _ in range(connections)))
    return tally


# --- the run (parent process) ------------------------------------------------------------


@dataclass(frozen=True)
class Served:
    port: int
    pid: int


@dataclass(frozen=True)
class Spent:
    """CPU milliseconds per successful request: the API process's, and this machine's
    PostgreSQL's (None where /proc does not show them)."""

    server: float | None
    database: float | None


async def timed_hammer(
    served: Served, requests: list[bytes], connections: int, seconds: float
) -> tuple[Tally, Spent]:
    """``hammer``, and the CPU time the server and the database spent meanwhile."""
    before = process_cpu_seconds(served.pid), postgres_cpu_seconds()
    tally = await hammer(served.port, requests, connections, seconds)
    after = process_cpu_seconds(served.pid), postgres_cpu_seconds()
    spent = (_per_request(b, a, tally.ok) for b, a in zip(before, after, strict=True))
    return tally, Spent(*spent)


def _per_request(before: float | None, after: float | None, requests: int) -> float | None:
    if before is None or after is None or not requests:
        return None
    return round(1000 * (after - before) / requests, 2)


@contextlib.asynccontextmanager
async def server(settings: dict[str, Any], tenant_id: uuid.UUID) -> AsyncIterator[Served]:
    port = _free_port()
    env = os.environ | {SETTINGS_ENV: json.dumps(settings), TENANT_ENV: str(tenant_id)}
    child = subprocess.Popen(  # noqa: ASYNC220, S603 - this script itself, started once
        [sys.executable, __file__, "--serve", str(port)], env=env, cwd=ROOT
    )
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                connection = await Connection.open(port)
                status, _ = await connection.send(request("GET", "/bench/bare", {}))
                connection.close()
                if status == 200:
                    break
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError("the API did not start")
        yield Served(port, child.pid)
    finally:
        child.terminate()
        child.wait(timeout=20)


async def run(args: argparse.Namespace, report: Report) -> None:
    report.line(f"command: {' '.join(sys.orig_argv)}")
    report.line(f"machine: {os.cpu_count()} CPU(s), {cpu_model()}, Python {sys.version.split()[0]}")
    report.line(
        f"load: {args.connections} keep-alive connections, {args.seconds:.0f} s per endpoint; "
        f"{args.creations} sequential creations"
    )
    for name in args.databases.split(","):
        with tempfile.TemporaryDirectory(prefix="pxr-bench-") as folder:
            async with database(name.strip(), args, Path(folder)) as settings:
                report.line(f"\n== {name} ==")
                report.put(name, await measure(name, settings, args, report))


@contextlib.asynccontextmanager
async def database(
    name: str, args: argparse.Namespace, root: Path
) -> AsyncIterator[dict[str, Any]]:
    if name == "sqlite":
        yield _settings({"url": f"sqlite+aiosqlite:///{root}/control.db"}, root)
        return
    if name != "postgresql":
        raise SystemExit(f"unknown database {name!r}: sqlite or postgresql")
    server_url = make_url(args.postgres_url)
    run_id = uuid.uuid4().hex[:8]
    control, prefix = f"pxr_bench_sessions_{run_id}", f"pxrbs{run_id}_"
    admin = await asyncpg.connect(**asyncpg_dsn(server_url))
    await admin.execute(f'CREATE DATABASE "{control}"')
    try:
        url = server_url.set(database=control).render_as_string(hide_password=False)
        yield _settings({"url": url, "tenant_database_prefix": prefix}, root)
    finally:
        rows = await admin.fetch(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR datname = $2",
            prefix,
            control,
        )
        for row in rows:
            escaped = str(row["datname"]).replace('"', '""')
            await admin.execute(f'DROP DATABASE IF EXISTS "{escaped}" WITH (FORCE)')
        await admin.close()


async def measure(
    name: str, settings: dict[str, Any], args: argparse.Namespace, report: Report
) -> Any:
    container = build_container(load_settings(**settings))
    try:
        await migrate_control(container)
        limits = PlanLimits(max_concurrent_sessions=10_000, monthly_session_minutes=10_000_000)
        tenant, admin = await create_tenant(
            CreateTenant("bench", "Bench Inc.", "admin@bench.example", "x" * 16, "Ada", limits),
            container.tenant_dependencies(),
            actor="bench",
        )
        token = container.access_tokens().issue(Actor.for_user(tenant.id, admin)).token
    finally:
        await close_container(container)
    headers = {"Authorization": f"Bearer {token}", "X-Passerelle-Tenant": "bench"}
    async with server(settings, tenant.id) as served:
        created, sessions = await creations(served.port, headers, args.creations)
        figures: dict[str, Any] = {
            "creation_p50_ms": ms(percentile(created, 50)),
            "creation_p99_ms": ms(percentile(created, 99)),
            "creation_max_ms": ms(created[-1]),
        }
        report.line(
            f"1. session creation ({len(created)} sequential): p50 {figures['creation_p50_ms']} ms"
            f"   p99 {figures['creation_p99_ms']} ms   max {figures['creation_max_ms']} ms"
        )
        bare = [request("GET", "/bench/bare", {})]
        await hammer(served.port, bare, args.connections, 1.0)  # warm-up
        plain, bare_cpu = await timed_hammer(served, bare, args.connections, args.seconds)
        joins = [
            request("POST", f"/api/v1/sessions/{session}/join", headers) for session in sessions
        ]
        budget = len(joins) * JOINS_PER_SESSION
        joined, join_cpu = await timed_hammer(served, joins, args.connections, args.seconds)
        floor = [request("GET", "/bench/transaction", {})]
        least, least_cpu = await timed_hammer(served, floor, args.connections, args.seconds)
    plain_rate, join_rate = plain.ok / args.seconds, joined.ok / args.seconds
    least_rate = least.ok / args.seconds
    figures |= {
        "bare_per_s": round(plain_rate, 1),
        "transaction_per_s": round(least_rate, 1),
        "join_per_s": round(join_rate, 1),
        "ratio": round(join_rate / plain_rate, 3) if plain_rate else None,
        "transaction_ratio": round(least_rate / plain_rate, 3) if plain_rate else None,
        "bare_non_2xx": plain.failed,
        "transaction_non_2xx": least.failed,
        "join_non_2xx": joined.failed,
        "join_statuses": joined.statuses,
        "bare_server_cpu_ms": bare_cpu.server,
        "transaction_server_cpu_ms": least_cpu.server,
        "join_server_cpu_ms": join_cpu.server,
        "join_database_cpu_ms": join_cpu.database if name == "postgresql" else None,
    }
    database_cpu = (
        f"; PostgreSQL CPU {figures['join_database_cpu_ms']} ms/request"
        if figures["join_database_cpu_ms"] is not None
        else ""
    )
    report.line(
        f"2. bare JSON endpoint: {plain_rate:.0f} req/s ({plain.failed} non-2xx; "
        f"server CPU {bare_cpu.server} ms/request)\n"
        f"   join:               {join_rate:.0f} req/s ({joined.failed} non-2xx; "
        f"statuses {joined.statuses}; capacity {budget} joins; "
        f"server CPU {join_cpu.server} ms/request{database_cpu})\n"
        f"   empty transaction:  {least_rate:.0f} req/s ({least.failed} non-2xx; "
        f"server CPU {least_cpu.server} ms/request)\n"
        f"   ratio join / bare:  {figures['ratio']}  (goal >= 0.4)\n"
        f"   ratio empty transaction / bare: {figures['transaction_ratio']}  "
        "(the most any endpoint that changes a tenant's data could reach on this stack)"
    )
    return figures


async def creations(
    port: int, headers: dict[str, str], count: int
) -> tuple[list[float], list[str]]:
    connection = await Connection.open(port)
    seconds, ids = [], []
    try:
        for number in range(count):
            body = json.dumps({"reference": f"Bench ticket {number}"}).encode()
            started = time.perf_counter()
            status, answer = await connection.send(
                request("POST", "/api/v1/sessions", headers, body)
            )
            seconds.append(time.perf_counter() - started)
            if status != 201:
                raise RuntimeError(f"session creation answered {status}: {answer[:200]!r}")
            ids.append(json.loads(answer)["id"])
    finally:
        connection.close()
    return sorted(seconds), ids


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve:
        serve(args.serve)
        return 0
    return run_bench(run, args, "sessions bench interrupted")


if __name__ == "__main__":
    sys.exit(main())
