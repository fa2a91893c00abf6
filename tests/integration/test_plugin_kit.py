"""The plugin developer's kit end to end: a package installed beside the platform, found
through its entry point, running the platform's contract suites in its own tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from apps.cli.main import app

ROOT = Path(__file__).parents[2]


def _install(package: Path, site: Path) -> None:
    """pip-installs ``package`` into ``site``, as a user's ``pip install`` would (its entry
    points in a dist-info), without touching the shared virtual environment."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(package),
        ],
        check=True,
        capture_output=True,
    )


def _run_its_tests(tests: Path, site: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_example_plugin_installs_and_passes_the_platform_sms_contract(tmp_path: Path) -> None:
    source = tmp_path / "passerelle-example-sms"
    shutil.copytree(ROOT / "examples" / "passerelle-example-sms", source)
    _install(source, tmp_path / "site")

    result = _run_its_tests(source / "tests", tmp_path / "site", tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "22 passed" in result.stdout


def test_plugin_new_creates_a_package_that_installs_and_passes_its_tests(tmp_path: Path) -> None:
    target = tmp_path / "acme-notes"
    created = CliRunner().invoke(app, ["plugin", "new", "acme-notes", "-d", str(target)])
    assert created.exit_code == 0, created.output
    _install(target, tmp_path / "site")

    result = _run_its_tests(target / "tests", tmp_path / "site", tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_plugin_new_refuses_a_name_that_is_no_package_name(tmp_path: Path) -> None:
    refused = CliRunner().invoke(app, ["plugin", "new", "Acme SMS", "-d", str(tmp_path / "x")])
    assert refused.exit_code == 2
    assert not (tmp_path / "x").exists()
