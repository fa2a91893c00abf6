"""`passerelle tenants export` / `tenants import` on a real database, with exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from apps.cli.main import app
from apps.cli.output import ExitCode

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr


def _run_json(*args: str) -> tuple[int, str]:
    """Standard output alone once the command succeeded (logs go to standard error)."""
    result = runner.invoke(app, list(args))
    out = result.stdout if result.exit_code == 0 else result.stdout + result.stderr
    return result.exit_code, out


def _create_acme() -> str:
    code, out = _run_json(
        "tenants",
        "create",
        "--slug",
        "acme",
        "--name",
        "ACME",
        "--admin-email",
        "ops@acme.example",
        "--admin-name",
        "Ada",
        "--json",
    )
    assert code == 0, out
    tenant_id: str = json.loads(out)["id"]
    return tenant_id


@pytest.mark.usefixtures("environment")
def test_tenant_is_exported_then_imported_under_a_new_slug_from_the_command_line(
    tmp_path: Path,
) -> None:
    assert _run("migrate")[0] == 0
    source_id = _create_acme()
    document = tmp_path / "files" / "tenants" / source_id / "manuals" / "pump.pdf"
    document.parent.mkdir(parents=True)
    document.write_bytes(b"%PDF-1.7 pump manual")
    archive = tmp_path / "acme.tar.gz"

    code, out = _run_json("tenants", "export", "acme", "--output", str(archive), "--json")
    assert code == 0, out
    exported = json.loads(out)
    assert exported["slug"] == "acme"
    assert exported["tables"]["users"] == 1
    assert exported["files"] == 1

    code, out = _run_json("tenants", "import", str(archive), "--slug", "acme-copy", "--json")
    assert code == 0, out
    imported = json.loads(out)
    assert imported["slug"] == "acme-copy"
    assert imported["status"] == "active"
    assert imported["id"] != source_id
    assert imported["source"] == {"id": source_id, "slug": "acme"}
    assert imported["tables"] == exported["tables"]
    copied = tmp_path / "files" / "tenants" / imported["id"] / "manuals" / "pump.pdf"
    assert copied.read_bytes() == b"%PDF-1.7 pump manual"
    code, out = _run_json("tenants", "list", "--json")
    assert sorted(t["slug"] for t in json.loads(out)) == ["acme", "acme-copy"]


@pytest.mark.usefixtures("environment")
def test_refused_export_and_import_exit_3_and_say_why(tmp_path: Path) -> None:
    assert _run("migrate")[0] == 0
    _create_acme()
    archive = tmp_path / "acme.tar.gz"
    assert _run("tenants", "export", "acme", "--output", str(archive))[0] == 0

    code, out = _run("tenants", "export", "acme", "--output", str(archive))
    assert code == ExitCode.REFUSED
    assert "already exists" in out

    code, out = _run("tenants", "import", str(archive))
    assert code == ExitCode.REFUSED
    assert "slug_taken" in out

    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(archive.read_bytes()[:100])
    code, out = _run("tenants", "import", str(broken), "--slug", "other")
    assert code == ExitCode.REFUSED
    assert "archive_rejected" in out

    code, out = _run("tenants", "import", str(tmp_path / "nowhere.tar.gz"))
    assert code == ExitCode.REFUSED
    assert "no archive file" in out


@pytest.mark.usefixtures("environment")
def test_a_tenant_is_backed_up_listed_and_restored_from_the_command_line(tmp_path: Path) -> None:
    assert _run("migrate")[0] == 0
    tenant_id = _create_acme()
    document = tmp_path / "files" / "tenants" / tenant_id / "manuals" / "pump.pdf"
    document.parent.mkdir(parents=True)
    document.write_bytes(b"%PDF-1.7 pump manual")

    code, out = _run_json("tenants", "backup", "acme", "--json")
    assert code == 0, out
    made = json.loads(out)
    document.write_bytes(b"overwritten after the backup")
    refused, _ = _run("tenants", "restore", "acme", "--backup", made["name"])
    code, out = _run_json("tenants", "restore", "acme", "--backup", made["name"], "--yes", "--json")
    assert code == 0, out
    restored = json.loads(out)
    code, out = _run_json("tenants", "backups", "acme", "--json")
    assert code == 0, out
    listed = json.loads(out)
    missing, message = _run("tenants", "restore", "acme", "--backup", "nope.tar.gz", "--yes")

    assert made["name"].startswith("manual-")
    assert refused == ExitCode.USAGE
    assert restored["status"] == "active"
    assert restored["backup"]["name"] == made["name"]
    assert document.read_bytes() == b"%PDF-1.7 pump manual"
    assert [b["name"].split("-")[0] for b in listed] == ["manual", "pre"]
    assert missing == ExitCode.REFUSED
    assert "backup_not_found" in message
