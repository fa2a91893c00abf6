"""Tenancy benchmark on PostgreSQL: provisioning, tenant-scoped reads, connections and memory.

Not a test: it prints figures and never asserts on time. It builds the platform's real
container (production profile) against its own control database and tenant-database prefix
(``pxb_<tag>_control``, ``pxb_<tag>_t_``) and drops everything it created at the end, also on
an error or Ctrl-C.

    .venv/bin/python bench/tenancy.py [--postgres-url URL] [--tenants 1000] [--provision 50]
                                      [--reads 200] [--concurrency 16] [--json]

Phases:

1. ``--provision`` tenants through ``core.tenants.services.create_tenant``, one after the
   other (catalog row, CREATE DATABASE, alembic migration, storage directory, first admin).
2. The rest up to ``--tenants`` quickly: one tenant database is created and migrated, the
   others are cloned from it with ``CREATE DATABASE ... TEMPLATE``, then get their catalog
   rows (catalog adapter) and an admin row (tenant unit of work): real, usable tenants.
3. Tenant-scoped reads as an API request does them (tenant by slug in the catalog, then the
   tenant unit of work, one user by e-mail), after touching 1, 100 and all tenants, timed
   apart: (a) hot reads of the tenant touched last (and round-robin over a working set that
   fits the engine cache, half of ``max_tenant_engines``): the routing's cost as the touched
   tenants pile up, whose ratio 1000/1 is the goal (<= 1.3); (b) cold reads, round-robin
   over more tenants than the cache holds, so each pays for a new engine and a new server
   connection: reported as a multiple of the hot read, with where that time goes (raw
   asyncpg connect, first query on a new backend). The same through HTTP
   (``GET /api/v1/sessions``) on the Litestar app; then a concurrent run. Connections to
   PostgreSQL are sampled every 50 ms meanwhile, and the process's RSS is read before and
   after touching the tenants.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import platform
import secrets
import shlex
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
from benchkit import (
    ENCRYPTION_KEY,
    PUBLIC_URL,
    Report,
    asyncpg_dsn,
    cpu_model,
    ms,
    percentile,
    run_bench,
)
from dependency_injector import providers
from pydantic import BaseModel
from sqlalchemy.engine import URL, make_url

from adapters.argon2.password_hasher import Argon2PasswordHasher
from apps.api.app import create_app
from apps.config.loading import load_settings
from apps.config.settings import Settings
from apps.container import Container, build_container, check_adapters, close_container
from apps.maintenance import migrate_control
from core.identity.model import Actor, Role, User
from core.tenants.model import Tenant, TenantStatus
from core.tenants.services import CreateTenant, TenantDependencies, create_tenant
from plugins.manager import build_plugins
from ports.tenant_databases import TenantDatabases

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
JWT_SECRET = "bench-" + "x" * 58  # only signs tokens for this run's throwaway tenants
ADMIN_PASSWORD = "bench horse battery staple"  # noqa: S105 - throwaway tenants
CLONE_CONCURRENCY = 4
SEED_CONCURRENCY = 8
CATALOG_CONCURRENCY = 4  # the control pool holds 5
DROP_CONCURRENCY = 4
SAMPLE_SECONDS = 0.05
GOAL_RATIO = 1.3
SETTLE_SECONDS = 2.0
"""Pause between touching the tenants and timing reads (see read_scenarios)."""

_CONNECTIONS = (
    "SELECT count(*) FROM pg_stat_activity WHERE starts_with(datname, $1) OR datname = $2"
)


# --------------------------------------------------------------------------- reporting


def summary(samples: Sequence[float]) -> dict[str, float | int]:
    """Median, p95, p99, min, max, mean of durations in seconds, as milliseconds."""
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50": ms(percentile(ordered, 50)),
        "p95": ms(percentile(ordered, 95)),
        "p99": ms(percentile(ordered, 99)),
        "min": ms(ordered[0]),
        "max": ms(ordered[-1]),
        "mean": ms(statistics.fmean(ordered)),
    }


def fmt(stats: dict[str, float | int], keys: Sequence[str] = ("p50", "p95", "p99")) -> str:
    return "  ".join(f"{key} {stats[key]:8.2f} ms" for key in keys)


def rss_kib() -> dict[str, int]:
    """Resident set size now and at its peak (VmRSS, VmHWM), in KiB."""
    found: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return {"rss_kib": found.get("VmRSS", 0), "peak_rss_kib": found.get("VmHWM", 0)}


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


# --------------------------------------------------------------------------- server access


async def admin_connection(url: URL) -> asyncpg.Connection:
    return await asyncpg.connect(**asyncpg_dsn(url), timeout=10)


def quote(container: Container, name: str) -> str:
    """Identifiers quoted by the driver's own preparer, as the platform does."""
    preparer = container.control_engine().dialect.identifier_preparer
    return str(preparer.quote(name))


class ConnectionSampler:
    """Counts this run's connections (tenant databases + control) every 50 ms, per phase."""

    def __init__(self, connection: asyncpg.Connection, prefix: str, control: str) -> None:
        self._connection = connection
        self._prefix = prefix
        self._control = control
        self.phase = "idle"
        self.peaks: dict[str, int] = {}
        self.samples = 0
        self._task: asyncio.Task[None] | None = None

    async def count(self) -> int:
        return int(await self._connection.fetchval(_CONNECTIONS, self._prefix, self._control))

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def peak(self, *phases: str) -> int:
        return max((self.peaks.get(phase, 0) for phase in phases), default=0)

    async def _run(self) -> None:
        while True:
            phase = self.phase
            current = await self.count()
            self.samples += 1
            self.peaks[phase] = max(self.peaks.get(phase, 0), current)
            await asyncio.sleep(SAMPLE_SECONDS)


# --------------------------------------------------------------------------- tenants


@dataclass(frozen=True)
class BenchTenant:
    id: UUID
    slug: str
    email: str
    admin_id: UUID


@dataclass
class TimedDatabases:
    """The real tenant databases adapter, timing ``ensure`` (CREATE DATABASE + migration)."""

    inner: TenantDatabases
    ensure_seconds: list[float] = field(default_factory=list)

    async def ensure(self, tenant_id: UUID, *, schema_version: str | None = None) -> None:
        started = time.perf_counter()
        await self.inner.ensure(tenant_id, schema_version=schema_version)
        self.ensure_seconds.append(time.perf_counter() - started)

    async def exists(self, tenant_id: UUID) -> bool:
        return await self.inner.exists(tenant_id)

    async def at_head(self, tenant_id: UUID) -> bool:
        return await self.inner.at_head(tenant_id)

    async def drop(self, tenant_id: UUID) -> None:
        await self.inner.drop(tenant_id)

    async def tenant_ids(self) -> set[UUID]:
        return await self.inner.tenant_ids()


async def bounded(concurrency: int, jobs: Sequence[Callable[[], Awaitable[None]]]) -> None:
    """Run jobs with at most ``concurrency`` in flight; the first failure cancels the rest."""
    queue = list(reversed(jobs))

    async def worker() -> None:
        while queue:
            await queue.pop()()

    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, len(jobs))):
            group.create_task(worker())


async def provision(container: Container, count: int, report: Report) -> list[BenchTenant]:
    """Phase 1: the real create_tenant use case, one tenant after the other."""
    timed = TimedDatabases(container.tenant_databases())
    deps: TenantDependencies = replace(container.tenant_dependencies(), databases=timed)
    created: list[BenchTenant] = []
    durations: list[float] = []
    for index in range(count):
        slug = f"bench-p{index:04d}"
        request = CreateTenant(
            slug=slug,
            display_name=f"Bench {index}",
            admin_email=f"admin@{slug}.example",
            admin_password=ADMIN_PASSWORD,
            admin_name="Bench Admin",
        )
        started = time.perf_counter()
        tenant, admin = await create_tenant(request, deps, actor="bench")
        durations.append(time.perf_counter() - started)
        created.append(BenchTenant(tenant.id, tenant.slug, admin.email, admin.id))
    total = summary(durations)
    ensure = summary(timed.ensure_seconds)
    report.put("provision", {"tenants": count, "total_ms": total, "database_ensure_ms": ensure})
    report.line(f"Phase 1: provisioned {count} tenants with create_tenant, one after the other")
    report.line(f"  per tenant:        {fmt(total, ('p50', 'p95', 'min', 'max'))}")
    report.line(f"  of which database: {fmt(ensure, ('p50', 'p95', 'min', 'max'))}")
    report.line(
        "                     (a copy of the migrated template, or CREATE DATABASE + every "
        "migration with database.tenant_templates off; then alembic checks it is at head)"
    )
    return created


async def clone(
    container: Container, url: URL, count: int, first_index: int, report: Report
) -> list[BenchTenant]:
    """Phase 2: one migrated template database, the others cloned from it, made real tenants."""
    locator = container.locator()
    catalog = container.catalog()
    databases = container.tenant_databases()
    engines = container.tenant_engines()
    phase_started = time.perf_counter()

    started = time.perf_counter()
    template_id = uuid4()
    await databases.ensure(template_id)  # named by the locator, migrated by alembic
    await engines.forget(template_id)  # CREATE DATABASE ... TEMPLATE needs it unused
    template_seconds = time.perf_counter() - started
    template = quote(container, locator.database_name(template_id))

    now = container.clock().now()
    hash_ = container.hasher().hash(ADMIN_PASSWORD)  # one cheap hash, shared by every clone
    planned: list[tuple[Tenant, User]] = []
    for offset in range(count):
        slug = f"bench-c{first_index + offset:04d}"
        tenant = Tenant(
            id=uuid4(),
            slug=slug,
            display_name=f"Bench {first_index + offset}",
            status=TenantStatus.PROVISIONING,
            created_at=now,
            updated_at=now,
        )
        admin = User(
            id=uuid4(),
            email=f"admin@{slug}.example",
            display_name="Bench Admin",
            role=Role.ADMIN,
            password_hash=hash_,
            created_at=now,
        )
        planned.append((tenant, admin))

    started = time.perf_counter()
    await bounded(CATALOG_CONCURRENCY, [_catalog_add(catalog, tenant) for tenant, _ in planned])
    catalog_seconds = time.perf_counter() - started

    started = time.perf_counter()
    connections = [await admin_connection(url) for _ in range(CLONE_CONCURRENCY)]
    try:
        # FILE_COPY (PostgreSQL 15+) copies the files instead of WAL-logging every block of
        # the ~7.5 MB template: faster to create here, and to drop at the end.
        version = int(await connections[0].fetchval("SHOW server_version_num"))
        clause = f"TEMPLATE {template}" + (" STRATEGY = FILE_COPY" if version >= 150000 else "")
        free: asyncio.Queue[asyncpg.Connection] = asyncio.Queue()
        for connection in connections:
            free.put_nowait(connection)
        jobs = [
            _clone_one(free, quote(container, locator.database_name(tenant.id)), clause)
            for tenant, _ in planned
        ]
        await bounded(CLONE_CONCURRENCY, jobs)
    finally:
        for connection in connections:
            await connection.close()
    clone_seconds = time.perf_counter() - started

    started = time.perf_counter()
    uow = container.tenant_uow()
    await bounded(
        SEED_CONCURRENCY, [_seed_admin(uow, tenant.id, admin) for tenant, admin in planned]
    )
    seed_seconds = time.perf_counter() - started

    started = time.perf_counter()
    await bounded(
        CATALOG_CONCURRENCY,
        [_catalog_activate(catalog, tenant, container) for tenant, _ in planned],
    )
    activate_seconds = time.perf_counter() - started
    phase_seconds = time.perf_counter() - phase_started

    figures = {
        "tenants": count,
        "template_ms": ms(template_seconds),
        "catalog_add_ms": ms(catalog_seconds),
        "clone_ms": ms(clone_seconds),
        "clone_strategy": clause.partition("STRATEGY = ")[2] or "default",
        "clone_per_database_ms": ms(clone_seconds / max(count, 1)),
        "seed_admin_ms": ms(seed_seconds),
        "activate_ms": ms(activate_seconds),
        "total_ms": ms(phase_seconds),
    }
    report.put("clone", figures)
    report.line(f"Phase 2: {count} more tenants by cloning a migrated database")
    steps = [
        ("template database created + migrated", template_seconds, ""),
        (f"catalog rows (provisioning), x{CATALOG_CONCURRENCY}", catalog_seconds, ""),
        (
            f"CREATE DATABASE ... TEMPLATE, x{CLONE_CONCURRENCY}",
            clone_seconds,
            f"  ({figures['clone_per_database_ms']:.1f} ms per database, wall clock; "
            f"strategy {figures['clone_strategy']})",
        ),
        (f"admin row via tenant unit of work, x{SEED_CONCURRENCY}", seed_seconds, ""),
        (f"catalog rows -> active, x{CATALOG_CONCURRENCY}", activate_seconds, ""),
        ("total", phase_seconds, ""),
    ]
    for label, seconds, note in steps:
        report.line(f"  {label + ':':40s} {seconds:7.2f} s{note}")
    return [BenchTenant(t.id, t.slug, a.email, a.id) for t, a in planned]


def _catalog_add(catalog: Any, tenant: Tenant) -> Callable[[], Awaitable[None]]:
    async def job() -> None:
        await catalog.add(tenant)

    return job


def _catalog_activate(
    catalog: Any, tenant: Tenant, container: Container
) -> Callable[[], Awaitable[None]]:
    async def job() -> None:
        await catalog.save(tenant.activated(container.clock().now()))

    return job


def _clone_one(
    free: asyncio.Queue[asyncpg.Connection], name: str, clause: str
) -> Callable[[], Awaitable[None]]:
    async def job() -> None:
        connection = await free.get()
        try:
            await connection.execute(f"CREATE DATABASE {name} {clause}")
        finally:
            free.put_nowait(connection)

    return job


def _seed_admin(uow_factory: Any, tenant_id: UUID, admin: User) -> Callable[[], Awaitable[None]]:
    async def job() -> None:
        async with uow_factory(tenant_id) as uow:
            await uow.users.add(admin)
            await uow.commit()

    return job


# --------------------------------------------------------------------------- reads


Read = Callable[[BenchTenant], Awaitable[None]]


def sql_read(container: Container) -> Read:
    """What a tenant-scoped API request does underneath: catalog by slug, then the tenant DB."""
    catalog = container.catalog()
    uow_factory = container.tenant_uow()

    async def read(tenant: BenchTenant) -> None:
        found = await catalog.find_by_slug(tenant.slug)
        if found is None:
            raise RuntimeError(f"tenant {tenant.slug} missing from the catalog")
        found.ensure_serving()
        async with uow_factory(found.id) as uow:
            user = await uow.users.find_by_email(tenant.email)
        if user is None:
            raise RuntimeError(f"admin of {tenant.slug} missing")

    return read


def http_read(client: httpx.AsyncClient, header: str, tokens: dict[UUID, str]) -> Read:
    async def read(tenant: BenchTenant) -> None:
        response = await client.get(
            "/api/v1/sessions",
            headers={header: tenant.slug, "Authorization": f"Bearer {tokens[tenant.id]}"},
        )
        if response.status_code != 200:
            raise RuntimeError(f"GET /api/v1/sessions for {tenant.slug}: {response.text}")

    return read


async def timed_reads(read: Read, tenants: Sequence[BenchTenant], count: int) -> list[float]:
    durations: list[float] = []
    for index in range(count):
        tenant = tenants[index % len(tenants)]
        started = time.perf_counter()
        await read(tenant)
        durations.append(time.perf_counter() - started)
    return durations


async def read_scenarios(
    label: str,
    read: Read,
    tenants: Sequence[BenchTenant],
    sizes: Sequence[int],
    reads: int,
    container: Container,
    sampler: ConnectionSampler,
    report: Report,
) -> dict[str, Any]:
    """For each size N: touch the first N tenants once, then time these reads apart.

    (a) hot: the tenant touched last, again and again: its engine and connection are open,
        so any change with N is the routing's own cost (catalog cache, engine LRU,
        placements) as tenants pile up; also round-robin over a working set of the last
        tenants touched, as many as half the engine cache holds (from N = that many on,
        the same set size, so those figures compare too).
    (b) cold: round-robin over all N when N exceeds the engine cache: each read finds its
        tenant's engine evicted and pays for a new engine and a new server connection.

    The timed reads start ``SETTLE_SECONDS`` after the touching pass: touching N tenants
    evicts N - cache engines, and for a moment after it the server is still ending their
    backends (measured at 1,000: the hot read right after the pass 0.86 ms, two seconds
    later 0.73 ms, against 0.64-0.69 ms at 1 touched).
    """
    cache = container.settings().database.max_tenant_engines
    working = max(1, cache // 2)
    results: dict[str, Any] = {}
    for size in sizes:
        subset = tenants[:size]
        sampler.phase = f"{label}-{size}"
        first = summary(await timed_reads(read, subset, len(subset)))
        await asyncio.sleep(SETTLE_SECONDS)
        hot = summary(await timed_reads(read, subset[-1:], reads))
        hot_set = subset[-min(working, size) :]
        hot_working = summary(await timed_reads(read, hot_set, reads))
        cold = summary(await timed_reads(read, subset, reads)) if size > cache else None
        results[str(size)] = {
            "first_touch": first,
            "hot": hot,
            "hot_working_set": {"tenants": len(hot_set), **hot_working},
            "cold": cold,
            "engines_cached": len(container.tenant_engines()),
            "peak_connections": sampler.peak(sampler.phase),
        }
        cold_text = f"   cold p50 {cold['p50']:.2f} p95 {cold['p95']:.2f}" if cold else ""
        report.line(
            f"  {size:5d} touched: hot p50 {hot['p50']:.2f} p95 {hot['p95']:.2f}   "
            f"working set ({len(hot_set)}) p50 {hot_working['p50']:.2f} "
            f"p95 {hot_working['p95']:.2f}{cold_text} ms   (first touch p50 "
            f"{first['p50']:.2f} ms, peak conns {results[str(size)]['peak_connections']})"
        )
    smallest, largest = results[str(sizes[0])], results[str(sizes[-1])]
    ratios = {key: round(largest["hot"][key] / smallest["hot"][key], 2) for key in ("p50", "p95")}
    results["hot_ratio"] = {
        **ratios,
        "goal": GOAL_RATIO,
        **{f"{key}_met": ratio <= GOAL_RATIO for key, ratio in ratios.items()},
    }
    for key, ratio in ratios.items():
        verdict = "met" if ratio <= GOAL_RATIO else "NOT met"
        report.line(
            f"  (a) hot {key}, {sizes[-1]} touched / {sizes[0]} touched = {ratio:.2f}   "
            f"(goal <= {GOAL_RATIO}: {verdict})"
        )
    same_set = [str(n) for n in sizes if n >= working]
    if len(same_set) > 1:
        low, high = results[same_set[0]], results[same_set[-1]]
        over = round(high["hot_working_set"]["p50"] / low["hot_working_set"]["p50"], 2)
        results["working_set_ratio_p50"] = over
        report.line(
            f"  (a) working set of {working} p50, {same_set[-1]} touched / {same_set[0]} "
            f"touched = {over:.2f}"
        )
    cold = largest["cold"]
    if cold is not None:
        over_hot = {key: round(cold[key] / smallest["hot"][key], 2) for key in ("p50", "p95")}
        results["cold_over_hot"] = {
            **over_hot,
            "goal": GOAL_RATIO,
            "met": over_hot["p50"] <= GOAL_RATIO,
        }
        verdict = "met" if over_hot["p50"] <= GOAL_RATIO else "NOT met"
        report.line(
            f"  (b) cold-tenant read p50 {cold['p50']:.2f} ms = {over_hot['p50']:.2f} x the "
            f"hot read, p95 {over_hot['p95']:.2f} x   (goal <= {GOAL_RATIO}: {verdict}; "
            "see the cold path below)"
        )
    return results


async def cold_path(
    container: Container, url: URL, tenants: Sequence[BenchTenant], count: int, report: Report
) -> dict[str, Any]:
    """Where a cold-tenant read's time goes, on ``count`` tenants whose engines are evicted.

    Raw asyncpg shows what no client code can avoid: opening a connection (a new server
    backend, authentication) and the first query on it (the backend fills its catalog
    caches). The platform's cold read adds the engine and its pool, SQLAlchemy's dialect
    set-up, its own statements' preparation, and the catalog lookup.
    """
    engines = container.tenant_engines()
    locator = container.locator()
    query = "SELECT id FROM users WHERE email = $1"
    connect: list[float] = []
    first: list[float] = []
    again: list[float] = []
    picked = [t for t in tenants if t.id not in engines][:count]
    for tenant in picked:
        started = time.perf_counter()
        connection = await asyncpg.connect(
            **asyncpg_dsn(url, locator.database_name(tenant.id)), timeout=10
        )
        connect.append(time.perf_counter() - started)
        try:
            for durations in (first, again):
                started = time.perf_counter()
                async with connection.transaction():
                    await connection.fetch(query, tenant.email)
                durations.append(time.perf_counter() - started)
        finally:
            await connection.close()
    platform_cold = await timed_reads(sql_read(container), picked, len(picked))
    stats = {
        "asyncpg_connect": summary(connect),
        "first_query_on_new_backend": summary(first),
        "same_query_again": summary(again),
        "platform_cold_read": summary(platform_cold),
    }
    report.line(f"Cold path of a tenant read, over {len(picked)} tenants whose engine is evicted:")
    labels = {
        "asyncpg_connect": "asyncpg connect (new backend + auth)",
        "first_query_on_new_backend": "first query on that backend (cold caches)",
        "same_query_again": "the same query again (warm backend)",
        "platform_cold_read": "platform cold read (engine + all above)",
    }
    for key, label in labels.items():
        report.line(f"  {label + ':':44s} {fmt(stats[key])}")
    figures: dict[str, Any] = {"tenants": len(picked), **stats}
    return figures


async def concurrent_reads(
    read: Read, tenants: Sequence[BenchTenant], concurrency: int
) -> tuple[list[float], float]:
    durations: list[float] = []
    position = 0

    async def worker() -> None:
        nonlocal position
        while position < len(tenants):
            tenant = tenants[position]
            position += 1
            started = time.perf_counter()
            await read(tenant)
            durations.append(time.perf_counter() - started)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    return durations, time.perf_counter() - started


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", default=DEFAULT_URL, help=f"default {DEFAULT_URL}")
    parser.add_argument("--tenants", type=int, default=1000, help="tenants in all (1000)")
    parser.add_argument("--provision", type=int, default=50, help="through create_tenant (50)")
    parser.add_argument("--reads", type=int, default=200, help="timed reads per scenario (200)")
    parser.add_argument(
        "--concurrency", type=int, default=16, help="reads in flight in the concurrent run (16)"
    )
    parser.add_argument(
        "--max-tenant-engines",
        type=int,
        default=None,
        help="override database.max_tenant_engines (default: the platform's default)",
    )
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP scenarios")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not 1 <= args.provision <= args.tenants:
        parser.error("--provision must be between 1 and --tenants")
    if args.reads < 1 or args.concurrency < 1:
        parser.error("--reads and --concurrency must be positive")
    return args


def development_sinks(explicit: set[str]) -> dict[str, Any]:
    """A development adapter (console first) for every other provider kind the settings have.

    The platform grows adapter kinds (push, SMS...) whose production default needs
    credentials; the benchmark touches none of them, so it picks their sinks by itself.
    """
    registry = build_plugins().adapters()
    chosen: dict[str, Any] = {}
    for name, info in Settings.model_fields.items():
        model = info.annotation
        if name in explicit or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        if "backend" not in model.model_fields:
            continue
        names = sorted(s.name for s in registry.specs() if s.kind == name and s.development)
        if names:
            chosen[name] = {"backend": "console" if "console" in names else names[0]}
    return chosen


def scenario_sizes(total: int) -> list[int]:
    return sorted({size for size in (1, 100, 1000) if size <= total} | {total})


async def run(args: argparse.Namespace, report: Report) -> None:
    server_url = make_url(args.postgres_url)
    tag = secrets.token_hex(3)
    control_name = f"pxb_{tag}_control"
    prefix = f"pxb_{tag}_t_"
    control_url = server_url.set(database=control_name)
    bench_started = time.perf_counter()
    # SIGTERM cancels the run like Ctrl-C does, so the finally block below drops everything.
    main_task = asyncio.current_task()
    if main_task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)

    admin = await admin_connection(server_url)
    sampler_connection: asyncpg.Connection | None = None
    sampler: ConnectionSampler | None = None
    container: Container | None = None
    workdir = tempfile.TemporaryDirectory(prefix="pxb_")
    try:
        version = await admin.fetchval("SHOW server_version")
        max_connections = int(await admin.fetchval("SHOW max_connections"))
        report.put(
            "machine",
            {
                "nproc": os.cpu_count(),
                "cpu": cpu_model(),
                "python": platform.python_version(),
                "postgresql": version,
                "postgresql_max_connections": max_connections,
            },
        )
        report.put("command", shlex.join(sys.orig_argv))
        report.line(f"command:    {shlex.join(sys.orig_argv)}")
        report.line(f"machine:    {os.cpu_count()} CPU(s), {cpu_model()}")
        report.line(f"software:   Python {platform.python_version()}, PostgreSQL {version}")
        report.line(
            f"server:     {server_url.render_as_string()} (max_connections {max_connections})"
        )
        report.line(f"databases:  control {control_name}, tenant prefix {prefix} (dropped at exit)")

        await admin.execute(f'CREATE DATABASE "{control_name}"')
        database: dict[str, Any] = {
            "url": control_url.render_as_string(hide_password=False),
            "tenant_database_prefix": prefix,
        }
        if args.max_tenant_engines is not None:
            database["max_tenant_engines"] = args.max_tenant_engines
        root = Path(workdir.name)
        sinks = development_sinks(explicit={"mail", "video", "storage"})
        settings = load_settings(
            profile="production",
            database=database,
            auth={"jwt_secret": JWT_SECRET},
            encryption={"keys": ENCRYPTION_KEY},
            api={"public_url": PUBLIC_URL},
            mail={"backend": "console"},
            video={"backend": "development"},
            storage={"backend": "local"},
            storage_local={"root": root / "storage"},
            # thousands of requests from one address in a minute: measured, not limited
            rate_limits={"enabled": False},
            data_dir=root / "data",
            **sinks,
        )
        container = build_container(settings)
        cheap = Argon2PasswordHasher(time_cost=1, memory_cost_kib=8192)
        container.hasher.override(providers.Object(cheap))
        await migrate_control(container)
        await check_adapters(container)

        db = settings.database
        per_engine = db.tenant_pool_size + db.tenant_max_overflow
        bound = db.pool_size + db.max_tenant_engines * per_engine
        report.put(
            "settings",
            {
                "max_tenant_engines": db.max_tenant_engines,
                "tenant_pool_size": db.tenant_pool_size,
                "tenant_max_overflow": db.tenant_max_overflow,
                "pool_size": db.pool_size,
                "engine_idle_seconds": db.engine_idle_seconds,
                "connection_bound": bound,
            },
        )
        report.line(
            f"settings:   max_tenant_engines {db.max_tenant_engines}, tenant pool "
            f"{db.tenant_pool_size}+{db.tenant_max_overflow}, control pool {db.pool_size} "
            f"-> bound {db.max_tenant_engines} x {per_engine} + {db.pool_size} = {bound} "
            "connections"
        )

        chosen = {"mail": "console", "video": "development", "storage": "local"}
        chosen |= {kind: block["backend"] for kind, block in sinks.items()}
        report.put("adapters", chosen)
        report.line("adapters:   " + ", ".join(f"{kind} {name}" for kind, name in chosen.items()))
        report.line(
            "password:   provisioning uses a cheap Argon2id hasher (time_cost=1, 8 MiB), as the "
            "integration tests do;"
        )
        report.line("            a production-cost hash is timed separately at the end")
        rss: dict[str, Any] = {"before_tenants": rss_kib()}
        report.line(f"RSS before touching tenants: {mib(rss['before_tenants']['rss_kib'])}")
        report.line()

        sampler_connection = await admin_connection(server_url)
        sampler = ConnectionSampler(sampler_connection, prefix, control_name)
        sampler.start()

        sampler.phase = "provision"
        tenants = await provision(container, args.provision, report)
        rss["after_provision"] = rss_kib()
        report.line(f"  RSS after provisioning: {mib(rss['after_provision']['rss_kib'])}")
        report.line()

        if args.tenants > args.provision:
            sampler.phase = "clone"
            tenants += await clone(
                container, server_url, args.tenants - args.provision, args.provision, report
            )
        rss["after_clone"] = rss_kib()
        report.line(
            f"  RSS after phase 2 (every tenant touched once): {mib(rss['after_clone']['rss_kib'])}"
        )
        report.line()

        sizes = scenario_sizes(len(tenants))
        reads: dict[str, Any] = {}
        report.line(
            f"Phase 3: tenant-scoped reads (catalog by slug + tenant unit of work + user by "
            f"e-mail), {args.reads} timed reads per set, round-robin, after one untimed pass "
            "touching each tenant of the set"
        )
        reads["sql"] = await read_scenarios(
            "sql", sql_read(container), tenants, sizes, args.reads, container, sampler, report
        )
        rss["after_sql_reads"] = rss_kib()
        report.line()
        if len(tenants) > settings.database.max_tenant_engines:
            reads["cold_path"] = await cold_path(container, server_url, tenants, 50, report)
            report.line()

        if not args.no_http:
            app = create_app(container, close=False)
            tokens = {
                t.id: container.access_tokens()
                .issue(Actor(tenant_id=t.id, user_id=t.admin_id, role=Role.ADMIN))
                .token
                for t in tenants
            }
            for logger in ("httpx", "passerelle.http"):  # one line per request
                logging.getLogger(logger).setLevel(logging.WARNING)
            transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # ASGI typing
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                read = http_read(client, settings.api.tenant_header, tokens)
                report.line(
                    "Phase 3, HTTP: GET /api/v1/sessions on the Litestar app through "
                    "httpx.ASGITransport (no sockets), token minted per tenant"
                )
                reads["http"] = await read_scenarios(
                    "http", read, tenants, sizes, args.reads, container, sampler, report
                )
            rss["after_http_reads"] = rss_kib()
            report.line()

        sampler.phase = "concurrent"
        durations, wall = await concurrent_reads(sql_read(container), tenants, args.concurrency)
        stats = summary(durations)
        reads["concurrent"] = {
            "tenants": len(tenants),
            "concurrency": args.concurrency,
            "wall_ms": ms(wall),
            "reads_per_second": round(len(durations) / wall, 1),
            "latency": stats,
            "peak_connections": sampler.peak("concurrent"),
        }
        report.line(
            f"Phase 3, concurrent: one read per tenant over {len(tenants)} tenants, "
            f"{args.concurrency} in flight"
        )
        report.line(
            f"  {len(durations) / wall:7.1f} reads/s, {fmt(stats)}, "
            f"peak conns {reads['concurrent']['peak_connections']}"
        )
        report.put("reads", reads)

        rss["after_touching_all"] = rss_kib()
        await asyncio.sleep(1.0)
        sampler.phase = "settled"
        settled = await sampler.count()
        await sampler.stop()
        read_phases = [p for p in sampler.peaks if p.startswith(("sql-", "http-"))]
        connections = {
            "bound": bound,
            "peak_provision": sampler.peak("provision"),
            "peak_clone": sampler.peak("clone"),
            "peak_sequential_reads": sampler.peak(*read_phases),
            "peak_concurrent_reads": sampler.peak("concurrent"),
            "held_after_reads": settled,
            "engines_cached": len(container.tenant_engines()),
            "samples": sampler.samples,
        }
        report.put("connections", connections)
        report.put("rss", rss)
        report.line()
        report.line(
            f"Connections to PostgreSQL (this run's databases, sampled every "
            f"{ms(SAMPLE_SECONDS):.0f} ms; bound {bound}):"
        )
        report.line(f"  peak while provisioning:         {connections['peak_provision']}")
        report.line(f"  peak while cloning/seeding:      {connections['peak_clone']}")
        report.line(f"  peak during sequential reads:    {connections['peak_sequential_reads']}")
        report.line(f"  peak during concurrent reads:    {connections['peak_concurrent_reads']}")
        report.line(
            f"  held 1 s after the reads:        {settled} "
            f"({connections['engines_cached']} tenant engines cached)"
        )
        report.line()
        report.line("RSS of this process (the API's container, engines and app):")
        for key, value in rss.items():
            report.line(
                f"  {key.replace('_', ' '):28s} {mib(value['rss_kib']):>10s}"
                f"   (peak so far {mib(value['peak_rss_kib'])})"
            )
        grown = rss["after_touching_all"]["rss_kib"] - rss["before_tenants"]["rss_kib"]
        report.line(f"  growth after touching {len(tenants)} tenants: {mib(grown)}")
        report.line()
        password_hashing(cheap, report)
    finally:
        if sampler is not None:
            await sampler.stop()
        if sampler_connection is not None:
            await sampler_connection.close()
        if container is not None:
            await close_container(container)
        cleanup_started = time.perf_counter()
        dropped = await drop_everything(server_url, admin, prefix, control_name)
        await admin.close()
        workdir.cleanup()
        report.put(
            "cleanup",
            {"databases_dropped": dropped, "ms": ms(time.perf_counter() - cleanup_started)},
        )
        report.put("run_seconds", round(time.perf_counter() - bench_started, 1))
        report.line()
        cleanup_seconds = time.perf_counter() - cleanup_started
        report.line(
            f"cleanup: dropped {dropped} databases in {cleanup_seconds:.1f} s; "
            f"whole run {time.perf_counter() - bench_started:.1f} s"
        )


def password_hashing(cheap: Argon2PasswordHasher, report: Report) -> None:
    """Timed last, so its 64 MiB buffer does not show in the RSS figures above."""

    def median_hash(hasher: Argon2PasswordHasher) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            hasher.hash(ADMIN_PASSWORD)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    production, bench = median_hash(Argon2PasswordHasher()), median_hash(cheap)
    report.put("password_hash", {"production_ms": ms(production), "bench_ms": ms(bench)})
    report.line("Password hashing (median of 3), not in the provisioning figures above:")
    report.line(f"  production Argon2id (time_cost=3, 64 MiB): {ms(production):7.1f} ms")
    report.line(f"  bench Argon2id (time_cost=1, 8 MiB):       {ms(bench):7.1f} ms")
    report.line(
        f"  so a production create_tenant takes about {ms(production - bench):.0f} ms more "
        "than phase 1 shows"
    )


async def drop_everything(
    server_url: URL, admin: asyncpg.Connection, prefix: str, control_name: str
) -> int:
    """Drop this run's tenant databases and control database, whatever state they are in."""
    names = [
        str(row["datname"])
        for row in await admin.fetch(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR datname = $2",
            prefix,
            control_name,
        )
    ]
    connections = [admin] + [
        await admin_connection(server_url) for _ in range(DROP_CONCURRENCY - 1)
    ]
    free: asyncio.Queue[asyncpg.Connection] = asyncio.Queue()
    for connection in connections:
        free.put_nowait(connection)

    def drop(name: str) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            connection = await free.get()
            try:
                escaped = name.replace('"', '""')
                await connection.execute(f'DROP DATABASE IF EXISTS "{escaped}" WITH (FORCE)')
            finally:
                free.put_nowait(connection)

        return job

    try:
        await bounded(DROP_CONCURRENCY, [drop(name) for name in names])
    finally:
        for connection in connections[1:]:
            await connection.close()
    return len(names)


def main(argv: Sequence[str] | None = None) -> int:
    return run_bench(run, parse_args(argv), "interrupted; this run's databases were dropped")


if __name__ == "__main__":
    sys.exit(main())
