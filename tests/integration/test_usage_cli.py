"""`passerelle usage report` on a real database: the JSON report, and refusals exit 3."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from apps.cli.main import app
from apps.cli.output import ExitCode

runner = CliRunner()


@pytest.mark.usefixtures("environment")
def test_usage_report_of_a_new_tenant_is_empty_json_with_its_plan_limit() -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    created = runner.invoke(
        app,
        [
            *("tenants", "create", "--slug", "acme", "--name", "ACME"),
            *("--admin-email", "ops@acme.example", "--admin-name", "Ada", "--json"),
        ],
    )
    assert created.exit_code == 0, created.output

    result = runner.invoke(
        app, ["usage", "report", "--tenant", "acme", "--month", "2026-11", "--json"]
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report == {
        "month": "2026-11",
        "minutes": 0,
        "limit": 6000,
        "remaining": 6000,
        "sessions": [],
    }


@pytest.mark.usefixtures("environment")
@pytest.mark.parametrize(
    ("tenant", "month", "said"), [("acme", "2026-13", "month"), ("nobody", "2026-11", "tenant")]
)
def test_bad_month_or_unknown_tenant_exits_3_naming_it(tenant: str, month: str, said: str) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    result = runner.invoke(app, ["usage", "report", "--tenant", tenant, "--month", month])
    assert result.exit_code == ExitCode.REFUSED
    assert said in result.output


@pytest.mark.usefixtures("environment")
def test_reading_a_purged_tenant_is_refused_and_creates_no_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PASSERELLE_TENANCY__DELETION_GRACE_DAYS", "0")
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    created = runner.invoke(
        app,
        [
            *("tenants", "create", "--slug", "gone", "--name", "Gone"),
            *("--admin-email", "ops@gone.example", "--admin-name", "Ada", "--json"),
        ],
    )
    tenant_id = json.loads(created.stdout)["id"]
    assert runner.invoke(app, ["tenants", "delete", "gone", "--yes"]).exit_code == 0
    assert runner.invoke(app, ["tenants", "purge"]).exit_code == 0

    reads = [
        runner.invoke(app, ["usage", "report", "--tenant", "gone", "--month", "2026-11"]),
        runner.invoke(app, ["files", "reconcile", "--tenant", "gone"]),
        runner.invoke(app, ["secrets", "reseal", "--tenant", "gone"]),
    ]

    assert [r.exit_code for r in reads] == [ExitCode.REFUSED] * 3
    assert all("tenant_not_in_use" in r.output for r in reads)
    reconciled = runner.invoke(app, ["tenants", "reconcile", "--json"])
    assert tenant_id not in reconciled.stdout, reconciled.stdout


@pytest.mark.usefixtures("environment")
def test_usage_report_without_a_tenant_exits_2_showing_how_to_name_one() -> None:
    result = runner.invoke(app, ["usage", "report", "--month", "2026-11"])

    assert result.exit_code == ExitCode.USAGE
    assert "passerelle usage report TENANT --month YYYY-MM" in result.output
