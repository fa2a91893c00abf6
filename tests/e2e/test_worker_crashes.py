"""Outbox workers killed with SIGKILL mid-batch, against PostgreSQL and a real SMTP relay.

The outbox promises delivery at least once: a worker claims a batch (committed, with a
lease) before any send and commits each outcome on its own. A worker killed mid-batch
leaves its claimed rows ``sending``; once their lease runs out another worker claims and
sends them again. Nothing is lost; a message is only sent twice when it left the worker
but its ``sent`` status was not committed before the kill: at most one per killed worker,
and never more than the killed batch (the documented window).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from dependency_injector import providers

from adapters.argon2.password_hasher import Argon2PasswordHasher
from adapters.sql.tenant_tables import outbox
from apps.config.loading import load_settings
from apps.container import Container, build_container, close_container
from apps.maintenance import migrate_control
from core.identity.model import Actor, Role
from core.sessions.guests import InviteGuest, invite_guest
from core.sessions.services import create_session
from core.tenants.services import CreateTenant, create_tenant
from tests.conftest import Database, fresh_database
from tests.support.smtp_server import SmtpTestServer

pytestmark = pytest.mark.e2e

JWT_SECRET = "worker-crash-test-secret-long-enough-for-hs256-0123456789"
ENCRYPTION_KEY = "dGVzdC1lbmNyeXB0aW9uLWtleS0wMTIzNDU2Nzg5YWI"
NOTIFICATIONS = 200
BATCH_SIZE = 10
LEASE_SECONDS = 5
KILLS = 5
SMTP_STALL_SECONDS = 0.01
DRAIN_SECONDS = 40.0


@pytest.fixture
async def postgres(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh PostgreSQL control database: workers on SQLite are not a fleet."""
    async with fresh_database("postgresql", tmp_path) as created:
        yield created


def _settings(database: Database, data_dir: Path) -> Any:
    return load_settings(
        profile="production",
        data_dir=data_dir,
        database={"url": database.url, "tenant_database_prefix": database.tenant_prefix},
        auth={"jwt_secret": JWT_SECRET},
        encryption={"keys": ENCRYPTION_KEY},
        api={"public_url": "http://127.0.0.1:8000"},
        mail={"backend": "console"},
        video={"backend": "development"},
        multiplayer={"backend": "development"},
        storage={"backend": "local"},
        push={"backend": "console"},
        sms={"backend": "console"},
    )


async def _queue_invitations(container: Container, count: int) -> tuple[UUID, set[str]]:
    """A tenant with ``count`` invitation e-mails waiting in its outbox, as the API queues them."""
    tenant, admin = await create_tenant(
        CreateTenant(
            slug="crashes",
            display_name="Crashes Inc.",
            admin_email="admin@crashes.example",
            admin_password="correct horse battery staple",
            admin_name="Ada Admin",
        ),
        container.tenant_dependencies(),
        actor="test",
    )
    actor = Actor(tenant_id=tenant.id, user_id=admin.id, role=Role.ADMIN)
    deps = container.session_dependencies()
    session = await create_session(actor, "Crash drill", tenant.limits, deps)
    queued: set[str] = set()
    for number in range(count):
        issued = await invite_guest(
            actor,
            InviteGuest(
                session_id=session.id,
                email=f"guest{number}@supplier.example",
                display_name=f"Guest {number}",
            ),
            deps,
        )
        queued.add(str(issued.message.id))
    return tenant.id, queued


def _worker_environment(database: Database, data_dir: Path, smtp: SmtpTestServer) -> dict[str, str]:
    return {
        **os.environ,
        "PASSERELLE_PROFILE": "production",
        "PASSERELLE_DATA_DIR": str(data_dir),
        "PASSERELLE_DATABASE__URL": database.url,
        "PASSERELLE_DATABASE__TENANT_DATABASE_PREFIX": database.tenant_prefix,
        "PASSERELLE_AUTH__JWT_SECRET": JWT_SECRET,
        "PASSERELLE_ENCRYPTION__KEYS": ENCRYPTION_KEY,
        "PASSERELLE_API__PUBLIC_URL": "http://127.0.0.1:8000",
        "PASSERELLE_MAIL__BACKEND": "smtp",
        "PASSERELLE_SMTP__HOST": smtp.host,
        "PASSERELLE_SMTP__PORT": str(smtp.port),
        "PASSERELLE_SMTP__SECURITY": "none",
        "PASSERELLE_SMS__BACKEND": "console",
        "PASSERELLE_PUSH__BACKEND": "console",
        "PASSERELLE_VIDEO__BACKEND": "development",
        "PASSERELLE_MULTIPLAYER__BACKEND": "development",
        "PASSERELLE_STORAGE__BACKEND": "local",
        "PASSERELLE_WORKER__LEASE_SECONDS": str(LEASE_SECONDS),
        "PASSERELLE_WORKER__BATCH_SIZE": str(BATCH_SIZE),
        "PASSERELLE_WORKER__POLL_INTERVAL_SECONDS": "0.2",
    }


class Fleet:
    """`passerelle worker` subprocesses, every one logged and ended at teardown."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self._env = env
        self._log_path = log_path
        self._log: IO[bytes] = log_path.open("wb")
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        command = [str(Path(sys.executable).parent / "passerelle"), "worker"]
        process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, env=self._env
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def log(self) -> str:
        self._log.flush()
        return self._log_path.read_text(errors="replace")

    def check_alive(self) -> None:
        for process in self.processes:
            code = process.poll()
            if code is not None and code != -signal.SIGKILL:
                pytest.fail(f"a worker exited with {code}:\n{self.log()}")

    def stop(self, process: subprocess.Popen[bytes]) -> int:
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=15)

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        self._log.close()


def _delivered(smtp: SmtpTestServer) -> Counter[str]:
    return Counter(str(mail.message["X-Passerelle-Notification"]) for mail in smtp.mails)


async def _wait_for_mails(smtp: SmtpTestServer, fleet: Fleet, at_least: int) -> None:
    deadline = time.monotonic() + 20
    while len(smtp.mails) < at_least:
        fleet.check_alive()
        if time.monotonic() > deadline:
            arrived = len(smtp.mails)
            pytest.fail(f"only {arrived} mails arrived, expected {at_least}:\n{fleet.log()}")
        await asyncio.sleep(0.02)


async def _statuses(container: Container, tenant_id: UUID) -> Counter[str]:
    engine = container.tenant_engines().get(tenant_id)
    async with engine.connect() as connection:
        query = sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)
        return Counter({row[0]: int(row[1]) for row in (await connection.execute(query)).all()})


async def test_killed_workers_lose_no_notification_and_duplicate_only_in_flight_ones(
    postgres: Database, tmp_path: Path, smtp_server: SmtpTestServer
) -> None:
    container = build_container(_settings(postgres, tmp_path))
    container.hasher.override(
        providers.Object(Argon2PasswordHasher(time_cost=1, memory_cost_kib=8192))
    )
    fleet = Fleet(_worker_environment(postgres, tmp_path, smtp_server), tmp_path / "workers.log")
    try:
        await migrate_control(container)
        tenant_id, queued = await _queue_invitations(container, NOTIFICATIONS)
        smtp_server.stall("DATA", SMTP_STALL_SECONDS)

        kills = 0
        stranded: list[int] = []  # rows `sending` right after each lone worker was killed
        worker = fleet.start()
        for round_number in range(KILLS):
            # Let the current worker get into a batch, then pull the plug mid-send.
            await _wait_for_mails(smtp_server, fleet, len(smtp_server.mails) + 7)
            if round_number == 2:
                # Two workers at once for a while: the lease and SKIP LOCKED share the work.
                companion = fleet.start()
                await _wait_for_mails(smtp_server, fleet, len(smtp_server.mails) + 15)
                fleet.kill(companion)
                kills += 1
            fleet.kill(worker)
            kills += 1
            if round_number != 2:
                stranded.append((await _statuses(container, tenant_id))["sending"])
            worker = fleet.start()

        deadline = time.monotonic() + DRAIN_SECONDS
        statuses = await _statuses(container, tenant_id)
        while statuses != Counter({"sent": NOTIFICATIONS}) and time.monotonic() < deadline:
            fleet.check_alive()
            await asyncio.sleep(0.25)
            statuses = await _statuses(container, tenant_id)
        assert fleet.stop(worker) == 0, fleet.log()

        delivered = _delivered(smtp_server)
        duplicates = {notification: n for notification, n in delivered.items() if n > 1}
        extra_sends = sum(n - 1 for n in duplicates.values())
        counts = (
            f"queued={len(queued)} received={sum(delivered.values())} unique={len(delivered)} "
            f"duplicated notifications={len(duplicates)} extra sends={extra_sends} "
            f"kills={kills} window={kills * BATCH_SIZE} sending after lone kills={stranded} "
            f"statuses={dict(statuses)}"
        )
        print(f"\nworker crash drill: {counts}")
        assert statuses == Counter({"sent": NOTIFICATIONS}), counts
        assert set(delivered) == queued, f"lost: {sorted(queued - set(delivered))}; {counts}"
        assert extra_sends <= kills * BATCH_SIZE, f"{duplicates}; {counts}"
        # The drill proves something only if kills really landed mid-batch.
        assert any(stranded), f"no kill left a claimed message behind; {counts}"
    finally:
        fleet.close()
        await close_container(container)
