"""Retention on both databases: the policy endpoint, the worker's purge (what goes, what
stays, blobs with their rows), re-runs, and `passerelle retention run`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from adapters.sql.tenant_tables import (
    assistance_sessions,
    audit_events,
    files,
    invitations,
    outbox,
    participants,
)
from apps.cli.main import app as cli
from apps.cli.output import ExitCode
from core.errors import NotFound
from tests.integration.conftest import Api

POLICY = "/api/v1/retention-policy"
YEAR = {"ended_sessions_days": 365, "files_days": 365, "audit_events_days": 365, "outbox_days": 365}
LONG_AGO = datetime.now(UTC) - timedelta(days=400)


async def test_policy_is_kept_forever_until_set_and_ranges_are_checked(api: Api) -> None:
    await api.create_tenant("alpha")
    admin = await api.login("alpha")
    initial = await api.client.get(POLICY, headers=admin)
    assert initial.json() == dict.fromkeys(YEAR)
    saved = await api.client.put(POLICY, json={**YEAR, "outbox_days": None}, headers=admin)
    assert saved.status_code == 200, saved.text
    assert (await api.client.get(POLICY, headers=admin)).json() == {**YEAR, "outbox_days": None}
    refused = await api.client.put(POLICY, json={"files_days": 0}, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "files_days"
    too_long = await api.client.put(POLICY, json={"audit_events_days": 3651}, headers=admin)
    assert too_long.json()["errors"][0]["field"] == "audit_events_days"
    assert (await api.client.get(POLICY, headers=admin)).json() == {**YEAR, "outbox_days": None}


async def _upload(api: Api, headers: dict[str, str], session_id: str | None = None) -> str:
    params = {"name": "n.txt", **({"session_id": session_id} if session_id else {})}
    response = await api.client.post(
        "/api/v1/files/raw",
        params=params,
        content=b"bytes",
        headers={**headers, "Content-Type": "text/plain"},
    )
    assert response.status_code == 201, response.text
    file_id: str = response.json()["id"]
    return file_id


async def _ended_session(api: Api, headers: dict[str, str]) -> str:
    session_id = await api.create_session(headers)
    await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=headers)
    invited = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations",
        json={"email": "g@x.example", "display_name": "G"},
        headers=headers,
    )
    assert invited.status_code == 201, invited.text
    ended = await api.client.post(f"/api/v1/sessions/{session_id}/end", headers=headers)
    assert ended.status_code == 200, ended.text
    return session_id


async def _age_everything(api: Api, tenant_id: UUID) -> None:
    """Every row of the tenant as if made long ago; notifications finished."""
    async with api.container.tenant_engines().get(tenant_id).begin() as connection:
        await connection.execute(
            assistance_sessions.update()
            .where(assistance_sessions.c.ended_at.is_not(None))
            .values(ended_at=LONG_AGO)
        )
        await connection.execute(files.update().values(created_at=LONG_AGO))
        await connection.execute(audit_events.update().values(occurred_at=LONG_AGO))
        await connection.execute(outbox.update().values(status="sent", updated_at=LONG_AGO))


async def _count(api: Api, tenant_id: UUID, table: sa.Table) -> int:
    async with api.container.tenant_engines().get(tenant_id).connect() as connection:
        query = sa.select(sa.func.count()).select_from(table)
        return int((await connection.execute(query)).scalar_one())


async def _run_worker_job(api: Api) -> Any:
    jobs = api.container.plugins().worker_jobs(api.container.adapter_context())
    (job,) = [j for j in jobs if j.name == "retention"]
    return await job.run()


async def test_worker_purges_what_is_old_and_keeps_open_sessions_and_their_files(
    api: Api,
) -> None:
    created = await api.create_tenant("alpha")
    tenant_id = UUID(created["tenant"]["id"])
    admin = await api.login("alpha")
    old_ended = await _ended_session(api, admin)
    file_of_ended = await _upload(api, admin, old_ended)
    open_session = await api.create_session(admin)
    file_of_open = await _upload(api, admin, open_session)
    loose_file = await _upload(api, admin)
    assert (await api.client.put(POLICY, json=YEAR, headers=admin)).status_code == 200
    await _age_everything(api, tenant_id)
    blobs = api.container.blob_store()

    done = await _run_worker_job(api)

    (report,) = done.reports
    assert (report.sessions, report.files) == (1, 2)
    assert report.audit_events > 0
    assert await _count(api, tenant_id, invitations) == 0
    assert await _count(api, tenant_id, participants) == 0
    assert await _count(api, tenant_id, outbox) == 0
    kept = await api.client.get(f"/api/v1/sessions/{open_session}", headers=admin)
    assert kept.status_code == 200
    gone = await api.client.get(f"/api/v1/sessions/{old_ended}", headers=admin)
    assert gone.status_code == 404
    listed = await api.client.get("/api/v1/files", headers=admin)
    assert [f["id"] for f in listed.json()["items"]] == [file_of_open]
    for purged in (file_of_ended, loose_file):
        with pytest.raises(NotFound):
            await blobs.stat(tenant_id, f"files/{purged}")
    await blobs.stat(tenant_id, f"files/{file_of_open}")
    again = await _run_worker_job(api)
    assert (again.reports[0].sessions, again.reports[0].files) == (0, 0)


@pytest.mark.usefixtures("environment")
def test_cli_dry_run_counts_without_deleting_and_names_an_unknown_tenant() -> None:
    runner = CliRunner()
    _migrated_with_acme(runner)
    dry = runner.invoke(cli, ["retention", "run", "--tenant", "acme", "--dry-run", "--json"])
    assert dry.exit_code == ExitCode.OK, dry.output
    report = json.loads(dry.stdout)
    assert report["dry_run"] is True
    assert report["tenants"][0]["slug"] == "acme"
    assert report["tenants"][0]["sessions"] == 0
    unknown = runner.invoke(cli, ["retention", "run", "--tenant", "nobody"])
    assert unknown.exit_code == ExitCode.REFUSED
    real = runner.invoke(cli, ["retention", "run"])
    assert real.exit_code == ExitCode.OK, real.output
    assert "acme" in real.stdout


@pytest.mark.usefixtures("environment")
def test_cli_takes_a_tenant_by_its_id_and_as_an_argument_as_other_tenant_commands_do() -> None:
    runner = CliRunner()
    tenant_id = _migrated_with_acme(runner)["id"]

    by_id = runner.invoke(cli, ["retention", "run", "--tenant", tenant_id, "--dry-run", "--json"])
    as_argument = runner.invoke(cli, ["retention", "run", tenant_id, "--dry-run", "--json"])

    for answer in (by_id, as_argument):
        assert answer.exit_code == ExitCode.OK, answer.output
        [report] = json.loads(answer.stdout)["tenants"]
        assert (report["tenant_id"], report["slug"]) == (tenant_id, "acme")


def _migrated_with_acme(runner: CliRunner) -> dict[str, Any]:
    """Migrates the databases, then creates the tenant acme as an operator would; its JSON."""
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    created = runner.invoke(
        cli,
        [
            *("tenants", "create", "--slug", "acme", "--name", "ACME"),
            *("--admin-email", "ops@acme.example", "--admin-name", "Ada", "--json"),
        ],
    )
    assert created.exit_code == 0, created.output
    found: dict[str, Any] = json.loads(created.stdout)
    return found
