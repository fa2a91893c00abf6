"""Notification delivery benchmark on PostgreSQL: e-mails/s, SMS/s and commit -> delivered.

Not a test: it prints figures and never asserts on time. It creates its own control database
and tenant-database prefix (``pxn_<tag>_control``, ``pxn_<tag>_t_``), one tenant through the
real ``create_tenant`` use case, a local aiosmtpd sink (plain SMTP, no TLS, no AUTH) and the
local Vonage-shaped HTTPS server of the test suite, all on 127.0.0.1, and drops or stops
everything at the end, also on an error or Ctrl-C. No vendor endpoint is ever contacted.

    .venv/bin/python bench/notifications.py [--messages 500] [--sms-limited-messages 300]
                                            [--latency-rate 20] [--latency-seconds 5]
                                            [--postgres-url URL] [--json]

Phases:

1. E-mail throughput: ``--messages`` e-mails committed to the tenant's outbox through its
   unit of work (which marks the dispatch index), then real ``passerelle worker``
   subprocesses (production profile, smtp mail adapter) are started, 1 and then 2; the time
   from their start until every row is ``sent`` (polling the tenant database). The rate
   between the first and the last ``sent_at`` (the steady rate, start-up excluded) is shown
   too.
2. Baselines, in this process, same messages, same server: aiosmtplib.send per message (one
   SMTP connection per message: the naive way) and the platform's SmtpMailSender (one
   reused connection).
3. SMS throughput with the vonage adapter, 1 and 2 workers, at the default fleet-wide rate
   limit (``sms.rate_per_second`` = 30) and with PASSERELLE_SMS__RATE_PER_SECOND=1000 (raw).
4. Commit -> delivered latency: one worker running, e-mails committed one by one at a steady
   pace; for each, commit to the moment the SMTP sink received it (its
   X-Passerelle-Notification header).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import secrets
import shlex
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import aiosmtplib
import asyncpg
import sqlalchemy as sa
import trustme
from dependency_injector import providers
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import benchkit  # noqa: E402
from benchkit import Report, asyncpg_dsn, cpu_model, ms, percentile, run_bench  # noqa: E402

from adapters.argon2.password_hasher import Argon2PasswordHasher  # noqa: E402
from adapters.sinks.mail_format import to_email  # noqa: E402
from adapters.smtp.mail_sender import SmtpMailSender  # noqa: E402
from adapters.smtp.settings import SmtpSecurity  # noqa: E402
from adapters.sql.tenant_tables import outbox  # noqa: E402
from apps.config.loading import load_settings  # noqa: E402
from apps.container import Container, build_container, close_container  # noqa: E402
from apps.maintenance import migrate_control  # noqa: E402
from core.notifications.model import Channel, NotificationStatus, OutboxMessage  # noqa: E402
from core.tenants.services import CreateTenant, create_tenant  # noqa: E402
from ports.mail import MailMessage  # noqa: E402
from tests.support.smtp_server import SmtpTestServer  # noqa: E402
from tests.support.vonage_server import (  # noqa: E402
    API_KEY,
    API_SECRET,
    VonageCertificates,
    VonageTestServer,
)

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
JWT_SECRET = "bench-" + "x" * 58  # only signs tokens for this run's throwaway tenant
ADMIN_PASSWORD = "bench horse battery staple"  # noqa: S105 - throwaway tenant
PASSERELLE = ROOT / ".venv" / "bin" / "passerelle"
POLL_SECONDS = 0.05
PHASE_TIMEOUT = 90.0
SENDER = "Passerelle XR <no-reply@localhost>"
PAYLOAD = {
    "guest_name": "Gus Guest",
    "inviter_name": "Ada Expert",
    "session_id": "6f1c7a7e-2f4e-4c43-9d56-1b0f0e7a9c11",
    "session_reference": "Ticket 4711 - pump P-12",
}


# --------------------------------------------------------------------------- reporting


# --------------------------------------------------------------------------- local servers


class TimedSmtpServer:
    """The test suite's aiosmtpd server, plus when each notification reached it.

    The handler's DATA hook is wrapped before any connection opens (aiosmtpd reads the hooks
    per connection); the stamp is taken on the server's thread right after the message was
    accepted, with the same monotonic clock as this process's commits.
    """

    def __init__(self) -> None:
        self.server = SmtpTestServer(security=SmtpSecurity.NONE, certificates=None, auth=False)
        self.received: dict[str, float] = {}
        handler = self.server._controller.handler  # private: bench instrumentation
        original = handler.handle_DATA

        async def handle_data(server: Any, session: Any, envelope: Any) -> str:
            answer: str = await original(server, session, envelope)
            stamp = time.perf_counter()
            if answer.startswith("250"):
                mail = self.server.mails[-1]  # appended by the original, nothing in between
                key = mail.message.get("X-Passerelle-Notification")
                if key:
                    self.received[str(key)] = stamp
            return answer

        handler.handle_DATA = handle_data

    @property
    def count(self) -> int:
        return len(self.server.mails)

    def stop(self) -> None:
        self.server.stop()


def vonage_certificates(directory: Path) -> VonageCertificates:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = directory / "vonage-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return VonageCertificates(ca=ca, ca_file=ca_file, server_context=context)


# --------------------------------------------------------------------------- workers


class Workers:
    """``passerelle worker`` subprocesses, stopped with SIGTERM (then SIGKILL) at the end."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self._env = env
        self._logs = logs
        self._processes: list[subprocess.Popen[bytes]] = []
        self._started = 0

    def start(self, count: int, **extra_env: str) -> None:
        env = self._env | extra_env
        for _ in range(count):
            self._started += 1
            log = (self._logs / f"worker-{self._started}.log").open("wb")
            process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
                [str(PASSERELLE), "worker"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
            log.close()
            self._processes.append(process)

    def check_alive(self) -> None:
        for process in self._processes:
            if process.poll() is not None:
                raise RuntimeError(
                    f"worker {process.pid} exited with {process.returncode}; logs in "
                    f"{self._logs}:\n{self.tail()}"
                )

    def tail(self) -> str:
        latest = sorted(self._logs.glob("worker-*.log"))[-1:]
        return "\n".join(path.read_text(errors="replace")[-2000:] for path in latest)

    def stop(self) -> None:
        for process in self._processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self._processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self._processes.clear()


def worker_env(
    control_url: str, prefix: str, data_dir: Path, smtp: SmtpTestServer, vonage: VonageTestServer
) -> dict[str, str]:
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"}
    env = {name: value for name, value in os.environ.items() if name in keep}
    env |= {
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "PASSERELLE_PROFILE": "production",
        "PASSERELLE_DATA_DIR": str(data_dir),
        "PASSERELLE_DATABASE__URL": control_url,
        "PASSERELLE_DATABASE__TENANT_DATABASE_PREFIX": prefix,
        "PASSERELLE_AUTH__JWT_SECRET": JWT_SECRET,
        "PASSERELLE_ENCRYPTION__KEYS": benchkit.ENCRYPTION_KEY,
        "PASSERELLE_API__PUBLIC_URL": benchkit.PUBLIC_URL,
        "PASSERELLE_MAIL__BACKEND": "smtp",
        "PASSERELLE_MAIL__SENDER": SENDER,
        "PASSERELLE_SMTP__HOST": smtp.host,
        "PASSERELLE_SMTP__PORT": str(smtp.port),
        "PASSERELLE_SMTP__SECURITY": "none",
        "PASSERELLE_SMS__BACKEND": "vonage",
        "PASSERELLE_VONAGE__API_KEY": API_KEY,
        "PASSERELLE_VONAGE__API_SECRET": API_SECRET,
        "PASSERELLE_VONAGE__REST_HOST": vonage.rest_host,
        "PASSERELLE_VONAGE__CA_FILE": str(vonage.ca_file),
        "PASSERELLE_VIDEO__BACKEND": "development",
        "PASSERELLE_STORAGE__BACKEND": "local",
        "PASSERELLE_PUSH__BACKEND": "console",
        "PASSERELLE_WORKER__POLL_INTERVAL_SECONDS": "0.1",
    }
    return env


# --------------------------------------------------------------------------- outbox


def new_message(channel: Channel, recipient: str, now: datetime) -> OutboxMessage:
    return OutboxMessage(
        id=uuid.uuid4(),
        kind="session_invitation",
        channel=channel,
        recipient=recipient,
        payload=dict(PAYLOAD),
        status=NotificationStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )


def recipients(channel: Channel, count: int, phase: str) -> list[str]:
    if channel is Channel.EMAIL:
        return [f"guest{n}@{phase}.example" for n in range(count)]
    return [f"+3247{n:07d}" for n in range(count)]


async def queue(
    container: Container, tenant_id: UUID, channel: Channel, count: int, phase: str
) -> list[UUID]:
    """Commit ``count`` messages in one transaction of the tenant's unit of work."""
    now = container.clock().now()
    messages = [new_message(channel, to, now) for to in recipients(channel, count, phase)]
    async with container.tenant_uow()(tenant_id) as uow:
        for message in messages:
            await uow.outbox.add(message)
        await uow.commit()
    return [message.id for message in messages]


async def statuses(container: Container, tenant_id: UUID) -> dict[str, int]:
    engine = container.tenant_engines().get(tenant_id)
    query = sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)
    async with engine.connect() as connection:
        return {str(row[0]): int(row[1]) for row in (await connection.execute(query)).all()}


async def sent_window(
    container: Container, tenant_id: UUID, ids: Sequence[UUID]
) -> tuple[datetime, datetime]:
    engine = container.tenant_engines().get(tenant_id)
    query = sa.select(sa.func.min(outbox.c.sent_at), sa.func.max(outbox.c.sent_at)).where(
        outbox.c.id.in_(list(ids))
    )
    async with engine.connect() as connection:
        first, last = (await connection.execute(query)).one()
    return first, last


async def throughput(
    container: Container,
    tenant_id: UUID,
    workers: Workers,
    *,
    channel: Channel,
    count: int,
    processes: int,
    phase: str,
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Queue, start the workers, poll until every row is sent; stop the workers."""
    ids = await queue(container, tenant_id, channel, count, phase)
    started = time.perf_counter()
    workers.start(processes, **(extra_env or {}))
    first_seen: float | None = None
    try:
        while True:
            counts = await statuses(container, tenant_id)
            now = time.perf_counter()
            pending = sum(n for status, n in counts.items() if status != "sent")
            if first_seen is None and pending < count:
                first_seen = now
            if pending == 0:
                break
            stuck = counts.get("dead", 0) + counts.get("failed", 0)
            if stuck or now - started > PHASE_TIMEOUT:
                raise RuntimeError(f"{phase}: rows not delivered: {counts}\n{workers.tail()}")
            workers.check_alive()
            await asyncio.sleep(POLL_SECONDS)
        wall = time.perf_counter() - started
    finally:
        workers.stop()
    first, last = await sent_window(container, tenant_id, ids)
    span = (last - first).total_seconds()
    return {
        "messages": count,
        "workers": processes,
        "wall_s": round(wall, 3),
        "per_second": round(count / wall, 1),
        "first_delivery_after_start_s": round((first_seen or started) - started, 3),
        "sent_at_span_s": round(span, 3),
        "steady_per_second": round((count - 1) / span, 1) if span > 0 else None,
    }


def show_throughput(report: Report, label: str, unit: str, figures: dict[str, Any]) -> None:
    steady = figures["steady_per_second"]
    report.line(
        f"  {label:44s} {figures['per_second']:7.1f} {unit}/s from start "
        f"({figures['wall_s']:.2f} s; first delivery {figures['first_delivery_after_start_s']:.2f}"
        f" s after start)   steady {steady if steady is not None else '-':>7} {unit}/s"
    )


# --------------------------------------------------------------------------- baselines


def baseline_mails(count: int) -> list[MailMessage]:
    return [
        MailMessage(
            sender=SENDER,
            to=to,
            subject="Ada Expert invites you to a remote assistance session",
            text="Hello Gus Guest,\n\nAda Expert invites you to Ticket 4711 - pump P-12.\n" * 4,
            html=None,
            headers={"X-Passerelle-Notification": str(uuid.uuid4())},
        )
        for to in recipients(Channel.EMAIL, count, "baseline")
    ]


async def naive_send(smtp: SmtpTestServer, count: int) -> float:
    emails = [to_email(mail) for mail in baseline_mails(count)]
    started = time.perf_counter()
    for email in emails:
        await aiosmtplib.send(email, hostname=smtp.host, port=smtp.port, timeout=5)
    return time.perf_counter() - started


async def reused_send(smtp: SmtpTestServer, count: int) -> float:
    sender = SmtpMailSender(smtp.settings())
    mails = baseline_mails(count)
    try:
        started = time.perf_counter()
        for mail in mails:
            await sender.send(mail)
        return time.perf_counter() - started
    finally:
        await sender.close()


# --------------------------------------------------------------------------- latency


async def latency(
    container: Container,
    tenant_id: UUID,
    workers: Workers,
    smtp: TimedSmtpServer,
    *,
    rate: float,
    seconds: float,
) -> dict[str, Any]:
    workers.start(1)
    try:
        # Wait until the worker delivers (it is up and its connections are open).
        warm_ids = await queue(container, tenant_id, Channel.EMAIL, 1, "warmup")
        deadline = time.perf_counter() + PHASE_TIMEOUT
        while str(warm_ids[0]) not in smtp.received:
            workers.check_alive()
            if time.perf_counter() > deadline:
                raise RuntimeError("latency: the warm-up message never arrived")
            await asyncio.sleep(POLL_SECONDS)
        committed: dict[str, float] = {}
        count = max(1, round(rate * seconds))
        uow_factory = container.tenant_uow()
        started = time.perf_counter()
        for index in range(count):
            await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
            message = new_message(Channel.EMAIL, f"guest{index}@latency.example", _now(container))
            async with uow_factory(tenant_id) as uow:
                await uow.outbox.add(message)
                await uow.commit()
            committed[str(message.id)] = time.perf_counter()
        pace = count / (time.perf_counter() - started)
        deadline = time.perf_counter() + PHASE_TIMEOUT
        while not all(key in smtp.received for key in committed):
            workers.check_alive()
            if time.perf_counter() > deadline:
                raise RuntimeError("latency: some messages never arrived")
            await asyncio.sleep(POLL_SECONDS)
    finally:
        workers.stop()
    delays = sorted(smtp.received[key] - at for key, at in committed.items())
    return {
        "messages": count,
        "target_rate": rate,
        "achieved_rate": round(pace, 1),
        "p50_ms": ms(percentile(delays, 50)),
        "p95_ms": ms(percentile(delays, 95)),
        "max_ms": ms(delays[-1]),
        "min_ms": ms(delays[0]),
        "mean_ms": ms(statistics.fmean(delays)),
    }


def _now(container: Container) -> datetime:
    return container.clock().now()


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=500, help="per throughput run (500)")
    parser.add_argument(
        "--sms-limited-messages",
        type=int,
        default=300,
        help="SMS per run at the default 30/s limit (300: 10 s per run)",
    )
    parser.add_argument("--latency-rate", type=float, default=20.0, help="commits/s (20)")
    parser.add_argument("--latency-seconds", type=float, default=5.0, help="seconds (5)")
    parser.add_argument("--postgres-url", default=DEFAULT_URL, help=f"default {DEFAULT_URL}")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.messages < 2 or args.sms_limited_messages < 2:
        parser.error("--messages and --sms-limited-messages must be at least 2")
    if args.latency_rate <= 0 or args.latency_seconds <= 0:
        parser.error("--latency-rate and --latency-seconds must be positive")
    return args


async def run(args: argparse.Namespace, report: Report) -> None:
    server_url = make_url(args.postgres_url)
    tag = secrets.token_hex(3)
    control_name = f"pxn_{tag}_control"
    prefix = f"pxn_{tag}_t_"
    control_url = server_url.set(database=control_name).render_as_string(hide_password=False)
    bench_started = time.perf_counter()
    main_task = asyncio.current_task()
    if main_task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)

    admin = await asyncpg.connect(**asyncpg_dsn(server_url), timeout=10)
    workdir = tempfile.TemporaryDirectory(prefix="pxn_")
    root = Path(workdir.name)
    container: Container | None = None
    smtp: TimedSmtpServer | None = None
    vonage: VonageTestServer | None = None
    workers: Workers | None = None
    try:
        version = await admin.fetchval("SHOW server_version")
        machine = {
            "nproc": os.cpu_count(),
            "cpu": cpu_model(),
            "python": platform.python_version(),
            "postgresql": version,
        }
        report.put("machine", machine)
        report.put("command", shlex.join(sys.orig_argv))
        report.line(f"command:    {shlex.join(sys.orig_argv)}")
        report.line(f"machine:    {os.cpu_count()} CPU(s), {cpu_model()}")
        report.line(f"software:   Python {platform.python_version()}, PostgreSQL {version}")
        report.line(f"databases:  control {control_name}, tenant prefix {prefix} (dropped at exit)")

        await admin.execute(f'CREATE DATABASE "{control_name}"')
        settings = load_settings(
            profile="production",
            data_dir=root / "data",
            database={"url": control_url, "tenant_database_prefix": prefix},
            auth={"jwt_secret": JWT_SECRET},
            encryption={"keys": benchkit.ENCRYPTION_KEY},
            api={"public_url": benchkit.PUBLIC_URL},
            mail={"backend": "console"},
            video={"backend": "development"},
            storage={"backend": "local"},
            push={"backend": "console"},
            sms={"backend": "console"},
        )
        container = build_container(settings)
        container.hasher.override(
            providers.Object(Argon2PasswordHasher(time_cost=1, memory_cost_kib=8192))
        )
        await migrate_control(container)
        tenant, _ = await create_tenant(
            CreateTenant("bench", "Bench Inc.", "admin@bench.example", ADMIN_PASSWORD, "Ada"),
            container.tenant_dependencies(),
            actor="bench",
        )

        smtp = TimedSmtpServer()
        (root / "logs").mkdir()
        vonage = VonageTestServer(vonage_certificates(root))
        env = worker_env(control_url, prefix, root / "data", smtp.server, vonage)
        workers = Workers(env, root / "logs")
        report.line(
            f"servers:    aiosmtpd 127.0.0.1:{smtp.server.port} (plain), Vonage-shaped HTTPS "
            f"{vonage.rest_host}; both run in threads of this process"
        )
        report.line(
            "workers:    `passerelle worker` subprocesses, production profile, poll 0.1 s, "
            "batch 50; one tenant"
        )
        report.line()

        n = args.messages
        emails: dict[str, Any] = {}
        report.line(f"E-mail: {n} messages queued, then workers started (smtp adapter)")
        for processes in (1, 2):
            figures = await throughput(
                container,
                tenant.id,
                workers,
                channel=Channel.EMAIL,
                count=n,
                processes=processes,
                phase=f"mail{processes}",
            )
            emails[f"workers_{processes}"] = figures
            show_throughput(report, f"{processes} worker process(es):", "mails", figures)

        naive = await naive_send(smtp.server, n)
        reused = await reused_send(smtp.server, n)
        baseline = {
            "messages": n,
            "naive_connection_per_message_per_second": round(n / naive, 1),
            "reused_connection_per_second": round(n / reused, 1),
            "ratio_reused_over_naive": round(naive / reused, 2),
        }
        emails["in_process_baseline"] = baseline
        report.put("email", emails)
        report.line(f"  baseline in this process, {n} mails sent one after the other:")
        report.line(
            f"    naive, aiosmtplib.send (1 connection/message): "
            f"{baseline['naive_connection_per_message_per_second']:7.1f} mails/s"
        )
        report.line(
            f"    SmtpMailSender (1 reused connection):          "
            f"{baseline['reused_connection_per_second']:7.1f} mails/s"
        )
        report.line(f"    ratio reused/naive: {baseline['ratio_reused_over_naive']:.2f}x")
        report.line()

        sms: dict[str, Any] = {}
        limited = args.sms_limited_messages
        report.line("SMS (vonage adapter -> local Vonage-shaped HTTPS server):")
        runs = [
            ("default_limit_30", limited, {}, "fleet limit 30/s (default)"),
            (
                "raw_limit_1000",
                n,
                {"PASSERELLE_SMS__RATE_PER_SECOND": "1000"},
                "limit 1000/s (raw)",
            ),
        ]
        for key, count, extra, label in runs:
            sms[key] = {}
            for processes in (1, 2):
                figures = await throughput(
                    container,
                    tenant.id,
                    workers,
                    channel=Channel.SMS,
                    count=count,
                    processes=processes,
                    phase=f"{key}-{processes}",
                    extra_env=extra,
                )
                sms[key][f"workers_{processes}"] = figures
                show_throughput(report, f"{label}, {processes} worker(s), {count}:", "SMS", figures)
        report.put("sms", sms)
        report.line(f"  Vonage server received {len(vonage.requests)} requests in all")
        report.line()

        figures = await latency(
            container,
            tenant.id,
            workers,
            smtp,
            rate=args.latency_rate,
            seconds=args.latency_seconds,
        )
        report.put("latency", figures)
        report.line(
            f"Commit -> received by the SMTP sink, 1 worker (poll 0.1 s), {figures['messages']} "
            f"e-mails committed one by one at {figures['achieved_rate']}/s:"
        )
        report.line(
            f"  p50 {figures['p50_ms']:.1f} ms   p95 {figures['p95_ms']:.1f} ms   "
            f"max {figures['max_ms']:.1f} ms   (min {figures['min_ms']:.1f}, "
            f"mean {figures['mean_ms']:.1f})"
        )
        report.line(f"  SMTP sink received {smtp.count} mails in all")
    finally:
        if workers is not None:
            workers.stop()
        if container is not None:
            await close_container(container)
        if smtp is not None:
            smtp.stop()
        if vonage is not None:
            vonage.stop()
        dropped = await drop_everything(admin, prefix, control_name)
        await admin.close()
        workdir.cleanup()
        report.put("databases_dropped", dropped)
        report.put("run_seconds", round(time.perf_counter() - bench_started, 1))
        report.line()
        report.line(
            f"cleanup: dropped {dropped} databases; whole run "
            f"{time.perf_counter() - bench_started:.1f} s"
        )


async def drop_everything(admin: asyncpg.Connection, prefix: str, control_name: str) -> int:
    names = [
        str(row["datname"])
        for row in await admin.fetch(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR datname = $2",
            prefix,
            control_name,
        )
    ]
    for name in names:
        escaped = name.replace('"', '""')
        with contextlib.suppress(asyncpg.PostgresError):
            await admin.execute(f'DROP DATABASE IF EXISTS "{escaped}" WITH (FORCE)')
    return len(names)


def main(argv: Sequence[str] | None = None) -> int:
    interrupted = "interrupted; this run's workers were stopped and databases dropped"
    return run_bench(run, parse_args(argv), interrupted)


if __name__ == "__main__":
    sys.exit(main())
