"""`passerelle files reconcile` on a real database and the local store: report, repair,
exit codes."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from apps.cli.main import app
from apps.cli.output import ExitCode
from apps.config.loading import load_settings
from apps.container import build_container, close_container
from core.files.model import FileKind, FileStatus, StoredFile

runner = CliRunner()


async def _one_orphan_blob_and_one_row_without_blob() -> tuple[str, str]:
    container = build_container(load_settings())
    try:
        tenant = await container.catalog().find_by_slug("acme")
        assert tenant is not None

        async def chunks() -> AsyncIterator[bytes]:
            yield b"left behind"

        orphan = f"files/{uuid.uuid4()}"
        await container.blob_store().put(tenant.id, orphan, chunks(), content_type="text/plain")
        now = datetime.now(UTC)
        lost = StoredFile(
            id=uuid.uuid4(),
            name="lost.pdf",
            kind=FileKind.DOCUMENT,
            content_type="application/pdf",
            size=10,
            status=FileStatus.AVAILABLE,
            uploader_id=None,
            created_at=now,
            updated_at=now,
        )
        async with container.tenant_uow()(tenant.id) as uow:
            await uow.files.add(lost)
            await uow.commit()
        return orphan, str(lost.id)
    finally:
        await close_container(container)


@pytest.mark.usefixtures("environment")
def test_reconcile_reports_then_repairs_orphans_and_exits_accordingly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PASSERELLE_STORAGE__ORPHAN_GRACE_SECONDS", "0")
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    created = runner.invoke(
        app,
        [
            *("tenants", "create", "--slug", "acme", "--name", "ACME"),
            *("--admin-email", "ops@acme.example", "--admin-name", "Ada", "--json"),
        ],
    )
    assert created.exit_code == 0, created.output
    clean = runner.invoke(app, ["files", "reconcile", "--json"])
    assert clean.exit_code == ExitCode.OK, clean.output
    orphan, lost = asyncio.run(_one_orphan_blob_and_one_row_without_blob())

    found = runner.invoke(app, ["files", "reconcile", "--tenant", "acme", "--json"])
    assert found.exit_code == ExitCode.FAILED, found.output
    (report,) = json.loads(found.stdout)
    assert [b["key"] for b in report["blobs_without_row"]] == [orphan]
    assert [r["file_id"] for r in report["rows_without_blob"]] == [lost]

    repaired = runner.invoke(app, ["files", "reconcile", "--repair"])
    assert repaired.exit_code == ExitCode.OK, repaired.output
    assert "acme" in repaired.output
    again = runner.invoke(app, ["files", "reconcile", "--json"])
    assert again.exit_code == ExitCode.OK
    assert json.loads(again.stdout)[0]["files"] == 0


@pytest.mark.usefixtures("environment")
def test_reconcile_of_an_unknown_tenant_exits_3() -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    result = runner.invoke(app, ["files", "reconcile", "--tenant", "nobody"])
    assert result.exit_code == ExitCode.REFUSED
